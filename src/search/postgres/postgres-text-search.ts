import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { Database } from '../../store/schema.js';
import { inAccounts, likeLiteral, type Search, type SearchField, type SearchHit, type SearchScope, type SearchTerm, type TextSearch } from '../text-search.js';

const COLUMN: Record<SearchField, string> = { log: 'log_text', from: 'from_address', to: 'to_address' };

/**
 * PostgreSQL: pg_trgm GIN indexes answer ILIKE '%…%' (built by trigram-indexes.ts). A GIN index
 * takes a write's trigrams into its pending list at the write's cost (fastupdate): nothing to
 * defer, so nothing pending to index, and a bulk load needs nothing done around it.
 */
export const postgresTextSearch: TextSearch = Object.freeze({
  minNeedle: 3,
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
