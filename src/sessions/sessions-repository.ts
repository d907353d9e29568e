import type { CompiledQuery, Kysely } from 'kysely';
import type { SessionInfo } from '../model/session-info.js';
import type { Database, SessionsTable } from '../store/schema.js';
import { BatchedLookup } from '../store/batched-lookup.js';
import type { SnapshotSource } from '../events/snapshot-event.js';
import { insertSnapshots, snapshotWrite } from '../events/snapshot-writes.js';
import type { SessionLinks } from './session-row.js';

export interface StoredSession {
  readonly accountId: string;
  readonly id: string;
  readonly version: number;
  /** The canonical JSON document. */
  readonly json: string;
}

export type InsertOutcome = 'inserted' | 'exists';

type ByIdRow = Pick<SessionsTable, 'account_id' | 'id' | 'version' | 'document'>;

const MAX_BATCH = 64;

/** Sessions as stored rows: read by id, insert once. The only place that knows the table. */
export class SessionsRepository {
  /**
   * GET by id is the hottest query: lookups of one turn go out as one `id IN (…)` query, built
   * once per size. Sizes are powers of two (the list padded with its first id), so a handful of
   * statements serve every batch.
   */
  private readonly byIds: CompiledQuery<ByIdRow>[] = [];
  private readonly lookups = new BatchedLookup<string, StoredSession>((ids) => this.findMany(ids), MAX_BATCH);

  constructor(private readonly db: Kysely<Database>) {}

  findById(id: string): Promise<StoredSession | undefined> {
    return this.lookups.get(id);
  }

  private async findMany(ids: readonly string[]): Promise<Map<string, StoredSession>> {
    let size = 1;
    while (size < ids.length) size *= 2;
    const parameters = [...ids];
    while (parameters.length < size) parameters.push(ids[0]!);
    const query = (this.byIds[size] ??= this.db
      .selectFrom('sessions')
      .select(['account_id', 'id', 'version', 'document'])
      .where('id', 'in', parameters)
      .compile());
    const { rows } = await this.db.executeQuery<ByIdRow>({ ...query, parameters });
    const found = new Map<string, StoredSession>();
    for (const row of rows) found.set(row.id, { accountId: row.account_id, id: row.id, version: row.version, json: row.document });
    return found;
  }

  /**
   * Inserts a session that arrives whole unless one with its id exists (in any account); never
   * overwrites. The ledger gets its `SessionImported` snapshot in the same transaction, and the row
   * is the fold of it. `links` (the parent session) are row facts the document does not carry.
   */
  async insertIfAbsent(session: SessionInfo, links?: SessionLinks, source: SnapshotSource = 'import'): Promise<InsertOutcome> {
    const write = snapshotWrite(session, source, new Date().toISOString(), links);
    const stored = await this.db.transaction().execute((trx) => insertSnapshots(trx, [write]));
    return stored.size ? 'inserted' : 'exists';
  }

  async count(): Promise<number> {
    const { n } = await this.db
      .selectFrom('sessions')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(n);
  }
}
