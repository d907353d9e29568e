import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { Database } from '../store/schema.js';

/** The session fields the substring index answers for. */
export type SearchField = 'log' | 'from' | 'to';

/**
 * Case-insensitive substring search over session text (the log's messages joined by newlines,
 * from/to addresses), answered from an index rather than a table scan: what its callers need, and
 * nothing of how it is built. Its schema is built by the migrations (`StoreCapabilities.searchSchema`)
 * and kept in step with `sessions` by the store itself (triggers), so every write path — import,
 * the event fold, archiving, deletes — maintains it without knowing it exists; what those triggers
 * cost each write is in src/search/sqlite/README.md.
 */
export interface TextSearch {
  /** Needles shorter than this cannot use the index (trigrams). */
  readonly minNeedle: number;
  /**
   * Indexes up to `limit` sessions whose writes were noted, in one transaction, and says how many;
   * absent where every write indexes its own text. Searches are exact either way.
   */
  indexPending?(db: Kysely<Database>, limit: number): Promise<number>;
  /** Runs a bulk insert of sessions, indexing them at the end instead of row by row. */
  bulkLoad<T>(db: Kysely<Database>, load: () => Promise<T>): Promise<T>;
  /**
   * How to find the sessions in `scope` whose fields contain every term's needle, ignoring case.
   * It may look at the index first (how rare the needle's trigrams are) to choose its walk.
   */
  search(db: Kysely<Database>, terms: readonly SearchTerm[], scope: SearchScope): Promise<Search>;
  /**
   * Whether the session row aliased `row` holds the term, read from the row itself with the
   * search's semantics and no index: for a needle shorter than `minNeedle`, checked only on the
   * rows the other filters leave.
   */
  rowContains(row: string, term: SearchTerm): RawBuilder<SqlBool>;
}

/** One search, planned: the same matches as three query shapes. */
export interface Search {
  /**
   * The matches as `(account_id, session_id)` rows, exactly those in scope: a list query joins
   * them, so the index drives and the table is read only for its hits.
   */
  hits(): RawBuilder<SearchHit>;
  /**
   * Whether the session row aliased `row` matches: for walking sessions in a list index's order,
   * which reads fewer rows than sorting every hit when the text is common and the page is early.
   */
  matches(row: string): RawBuilder<SqlBool>;
  /** How many sessions match, in scope, read from the index as far as it can. */
  count(): RawBuilder<{ n: number | string }>;
}

export interface SearchTerm {
  readonly field: SearchField;
  readonly needle: string;
}

/** Which sessions a search may return: the accounts searched and whether archived ones count. */
export interface SearchScope {
  readonly accountIds: readonly string[] | 'all';
  readonly searchArchive: boolean;
}

export interface SearchHit {
  account_id: string;
  session_id: string;
}

/**
 * `column` is one of `accountIds`: a search's scope as SQL. No accounts match nothing (SQL has no
 * empty `IN ()`).
 */
export const inAccounts = (column: string, accountIds: readonly string[]): RawBuilder<SqlBool> =>
  accountIds.length ? sql<SqlBool>`${sql.ref(column)} IN (${sql.join(accountIds.map((id) => sql`${id}`))})` : sql<SqlBool>`1 = 0`;

/** `%`, `_` and `\` taken literally by LIKE … ESCAPE '\'. */
export const likeLiteral = (text: string) => text.replace(/[\\%_]/g, (c) => '\\' + c);
