import type { Kysely } from 'kysely';
import type { SessionInfo } from '../model/session-info.js';
import type { Database } from '../store/schema.js';
import { ledgerRow } from '../events/ledger-row.js';
import { snapshotEvent } from '../events/snapshot-event.js';
import { sessionRow } from './session-row.js';

export interface StoredSession {
  readonly accountId: string;
  readonly id: string;
  readonly version: number;
  /** The canonical JSON document. */
  readonly json: string;
}

export type InsertOutcome = 'inserted' | 'exists';

/** Sessions as stored rows: read by id, insert once. The only place that knows the table. */
export class SessionsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async findById(id: string): Promise<StoredSession | undefined> {
    const row = await this.db
      .selectFrom('sessions')
      .select(['account_id', 'id', 'version', 'document'])
      .where('id', '=', id)
      .executeTakeFirst();
    return row && { accountId: row.account_id, id: row.id, version: row.version, json: row.document };
  }

  /**
   * Inserts a session unless one with its id exists (in any account); never overwrites. The ledger
   * gets its `SessionImported` snapshot in the same transaction, so the row is the fold of its events.
   */
  async insertIfAbsent(session: SessionInfo): Promise<InsertOutcome> {
    return this.db.transaction().execute(async (trx) => {
      const existing = await trx.selectFrom('sessions').select('id').where('id', '=', session.id ?? '').executeTakeFirst();
      if (existing) return 'exists';
      await trx.insertInto('sessions').values(sessionRow(session, 1)).execute();
      await trx.insertInto('session_events').values(ledgerRow(snapshotEvent(session), new Date().toISOString())).execute();
      return 'inserted';
    });
  }

  async count(): Promise<number> {
    const { n } = await this.db
      .selectFrom('sessions')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(n);
  }
}
