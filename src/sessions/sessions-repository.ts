import type { CompiledQuery, Kysely } from 'kysely';
import type { SessionInfo } from '../model/session-info.js';
import type { Database, SessionsTable } from '../store/schema.js';
import { ledgerRow } from '../events/ledger-row.js';
import { snapshotEvent } from '../events/snapshot-event.js';
import { sessionRow, type SessionLinks } from './session-row.js';

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
  /** GET by id is the hottest query: built and compiled once, only its parameter changes (halves its cost). */
  private readonly byId: CompiledQuery<Pick<SessionsTable, 'account_id' | 'id' | 'version' | 'document'>>;

  constructor(private readonly db: Kysely<Database>) {
    this.byId = db.selectFrom('sessions').select(['account_id', 'id', 'version', 'document']).where('id', '=', '').compile();
  }

  async findById(id: string): Promise<StoredSession | undefined> {
    const { rows } = await this.db.executeQuery<Pick<SessionsTable, 'account_id' | 'id' | 'version' | 'document'>>({
      ...this.byId,
      parameters: [id],
    });
    const row = rows[0];
    return row && { accountId: row.account_id, id: row.id, version: row.version, json: row.document };
  }

  /**
   * Inserts a session unless one with its id exists (in any account); never overwrites. The ledger
   * gets its `SessionImported` snapshot in the same transaction, so the row is the fold of its events.
   * `links` (the parent session) are row facts the document does not carry.
   */
  async insertIfAbsent(session: SessionInfo, links?: SessionLinks): Promise<InsertOutcome> {
    return this.db.transaction().execute(async (trx) => {
      const existing = await trx.selectFrom('sessions').select('id').where('id', '=', session.id ?? '').executeTakeFirst();
      if (existing) return 'exists';
      // Another instance may insert the same session between the check and here: its row wins.
      const { numInsertedOrUpdatedRows } = await trx
        .insertInto('sessions')
        .values(sessionRow(session, 1, links))
        .onConflict((oc) => oc.columns(['account_id', 'id']).doNothing())
        .executeTakeFirst();
      if (Number(numInsertedOrUpdatedRows ?? 0) === 0) return 'exists';
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
