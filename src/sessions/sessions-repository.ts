import type { CompiledQuery, Kysely } from 'kysely';
import type { Database, SessionsTable } from '../store/schema.js';
import { BatchedLookup } from '../store/batched-lookup.js';

export interface StoredSession {
  readonly accountId: string;
  readonly id: string;
  readonly version: number;
  /** The canonical JSON document. */
  readonly json: string;
}

type ByIdRow = Pick<SessionsTable, 'account_id' | 'id' | 'version' | 'document'>;

const MAX_BATCH = 64;

/** Sessions as stored rows, read by id; they are written by the session writer (src/events/session-writer.ts) alone. */
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

  async count(): Promise<number> {
    const { n } = await this.db
      .selectFrom('sessions')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(n);
  }
}
