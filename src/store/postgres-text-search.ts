import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { Database } from './schema.js';
import { inAccounts, likeLiteral, type Search, type SearchField, type SearchHit, type SearchScope, type SearchTerm, type TextSearch } from './text-search.js';

const COLUMN: Record<SearchField, string> = { log: 'log_text', from: 'from_address', to: 'to_address' };

/**
 * PostgreSQL: pg_trgm GIN indexes answer ILIKE '%…%'. The log text is kept in a column by a
 * trigger (a generated column cannot aggregate a JSON array).
 */
export const postgresTextSearch: TextSearch = Object.freeze({
  minNeedle: 3,
  async install(db: Kysely<unknown>) {
    const statements = [
      `CREATE EXTENSION IF NOT EXISTS pg_trgm`,
      `ALTER TABLE sessions ADD COLUMN log_text text`,
      `CREATE FUNCTION sessions_log_text() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         NEW.log_text := (SELECT string_agg(e->>'message', E'\\n' ORDER BY n)
                          FROM jsonb_array_elements(CASE WHEN jsonb_typeof(NEW.document::jsonb->'log') = 'array'
                                                         THEN NEW.document::jsonb->'log' ELSE '[]'::jsonb END)
                               WITH ORDINALITY AS l(e, n));
         RETURN NEW;
       END $$`,
      `CREATE TRIGGER sessions_log_text BEFORE INSERT OR UPDATE OF document ON sessions FOR EACH ROW EXECUTE FUNCTION sessions_log_text()`,
      `UPDATE sessions SET document = document`,
      `CREATE INDEX sessions_log_trgm ON sessions USING gin (log_text gin_trgm_ops)`,
      `CREATE INDEX sessions_from_trgm ON sessions USING gin (from_address gin_trgm_ops)`,
      `CREATE INDEX sessions_to_trgm ON sessions USING gin (to_address gin_trgm_ops)`,
    ];
    for (const statement of statements) await sql.raw(statement).execute(db);
  },
  async indexLogChunks() {
    // The GIN index over one log_text column per session already answers every scope; PostgreSQL
    // keeps 003's layout.
  },
  async unindexLogChunks() {},
  // A GIN index takes a write's trigrams into its pending list at the write's cost (fastupdate):
  // nothing to defer, nor to note.
  async deferIndexing() {},
  async undeferIndexing() {},
  async readTextOnce() {},
  async readTextPerStatement() {},
  bulkLoad<T>(_db: Kysely<Database>, load: () => Promise<T>) {
    return load();
  },
  rowContains: (row: string, term: SearchTerm) => contains(row, term),
  async search(_db: Kysely<Database>, terms: readonly SearchTerm[], scope: SearchScope): Promise<Search> {
    // The GIN indexes serve ILIKE on the row itself: the same condition drives a bitmap scan or
    // checks rows walked in another index's order, as the planner likes.
    const on = (row: string) => sql.join(terms.map((term) => contains(row, term)), sql` AND `);
    const inScope: RawBuilder<unknown>[] = [];
    if (scope.accountIds !== 'all') inScope.push(inAccounts('t.account_id', scope.accountIds));
    if (!scope.searchArchive) inScope.push(sql`t.archived = 0`);
    const where = sql.join([on('t'), ...inScope], sql` AND `);
    return {
      hits: () => sql<SearchHit>`(SELECT t.account_id, t.id AS session_id FROM sessions t WHERE ${where})`,
      matches: (row: string) => sql<SqlBool>`(${on(row)})`,
      count: () => sql<{ n: string }>`SELECT count(*) AS n FROM sessions t WHERE ${where}`,
    };
  },
});

/** `row`'s field contains the needle, ignoring case (ILIKE folds case as the trigram index does). */
const contains = (row: string, { field, needle }: SearchTerm) =>
  sql<SqlBool>`${sql.ref(`${row}.${COLUMN[field]}`)} ILIKE ${'%' + likeLiteral(needle) + '%'} ESCAPE '\\'`;
