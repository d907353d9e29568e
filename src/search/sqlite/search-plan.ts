import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { Database } from '../../store/schema.js';
import { inAccounts, type Search, type SearchHit, type SearchScope, type SearchTerm } from '../text-search.js';
import { logText, PENDING_KEYS } from './index-tables.js';
import { caseInsensitiveGlob, phrase, planLogWalk, type LogWalk } from './log-walk.js';

// The planner: how a search's terms become SQL over the index (README.md: which needle goes which
// way). A log term's walk is chosen by log-walk.ts; an address term is one phrase MATCH.

/**
 * The matches of every term in `scope`, as the three shapes a list query uses. Sessions with a
 * pending note are decided on their rows, the others by the index (see below).
 */
export async function planSearch(db: Kysely<Database>, terms: readonly SearchTerm[], scope: SearchScope): Promise<Search> {
  const walks = await Promise.all(
    terms.map(async ({ field, needle }): Promise<LogWalk & { scoped: boolean }> => {
      if (field === 'log') return { ...(await planLogWalk(db, needle, scope)), scoped: true };
      const keys = sql`SELECT rowid FROM session_address_search WHERE session_address_search MATCH ${`${field}_address : ${phrase(needle)}`}`;
      return { keys: () => keys, holds: (_row, key) => sql<SqlBool>`${key} IN (${keys})`, count: () => undefined, scoped: false };
    }),
  );
  const globs = walks.flatMap((walk) => (walk.glob === undefined ? [] : [walk.glob]));
  const logMatches = (row: string) => globs.map((glob) => sql`${sql.raw(logText(row))} GLOB ${glob}`);
  // Whether the session row of key `k`, aliased `v`, meets `conditions`.
  const theRow = (conditions: RawBuilder<unknown>[]) =>
    sql<SqlBool>`EXISTS (SELECT 1 FROM sessions v WHERE v.account_id = k.account_id AND v.id = k.session_id AND ${sql.join(conditions, sql` AND `)})`;
  // Log walks stay in their partitions; addresses have one index for every account, so a search
  // by address alone is held to the scope here.
  const inScope = walks.some((walk) => walk.scoped)
    ? []
    : [
        ...(scope.accountIds === 'all' ? [] : [inAccounts('k.account_id', scope.accountIds)]),
        ...(scope.searchArchive ? [] : [theRow([sql`v.archived = 0`])]),
      ];
  // Sessions with a pending note (writes the indexer has not indexed yet) are checked on their
  // rows instead: the index may lack their new text, or still hold text they no longer have. So
  // every noted session is a candidate of each term, and its row decides; the others' index hits
  // stand. Kept one SELECT over the keys: a UNION of two kinds of hits, joined to the list query,
  // let the planner scan whole tables (list-explain.test.ts).
  const pending = sql.raw(PENDING_KEYS);
  const matchesRow = (row: string) => sql.join(terms.map((term) => termMatchesRow(row, term)), sql` AND `);
  const hitConditions = [
    ...walks.map((walk) => sql`k.key IN (${walk.keys()} UNION ALL ${pending})`),
    ...inScope,
    sql`(CASE WHEN k.key IN (${pending}) THEN ${theRow([...rowInScope('v', scope), matchesRow('v')])} ELSE ${globs.length ? theRow(logMatches('v')) : sql`1`} END)`,
  ];
  const hits = sql<SearchHit>`(SELECT k.account_id, k.session_id FROM session_search_keys k WHERE ${sql.join(hitConditions, sql` AND `)})`;
  // CROSS JOIN: the notes drive. Left to itself the planner read the account's every session,
  // its log through json_each (23 s for a count at 200,000 sessions, against 0.9 s).
  // Continuation lines keep the indentation they had before the move: the SQL sent is byte for byte what it was.
  const notedHits = sql`SELECT 1 FROM session_search_pending q CROSS JOIN session_search_keys k ON k.key = q.session_key CROSS JOIN sessions v ON v.account_id = k.account_id AND v.id = k.session_id
      WHERE ${sql.join([...rowInScope('v', scope), matchesRow('v')], sql` AND `)}`;
  const counted = walks.length === 1 ? walks[0]!.count() : undefined;
  return {
    hits: () => hits,
    // The row's search key looked up once, as `mk`.
    matches: (row: string) =>
      sql<SqlBool>`EXISTS (SELECT 1 FROM session_search_keys mk WHERE mk.account_id = ${sql.ref(`${row}.account_id`)} AND mk.session_id = ${sql.ref(`${row}.id`)}
          AND (CASE WHEN mk.key IN (${pending}) THEN ${matchesRow(row)}
          ELSE ${sql.join([...walks.map((walk) => walk.holds(row, sql.ref('mk.key'))), ...logMatches(row)], sql` AND `)} END))`,
    count: () => (counted ? sql<{ n: number }>`SELECT (${counted}) + (SELECT count(*) FROM (${notedHits})) AS n` : sql<{ n: number }>`SELECT count(*) AS n FROM ${hits} AS h`),
  };
}

/** Whether the session row aliased `row` holds `term`, read from the row itself (as the trigram index folds case). */
export function termMatchesRow(row: string, { field, needle }: SearchTerm) {
  const text = field === 'log' ? sql.raw(logText(row)) : sql.ref(`${row}.${field}_address`);
  return sql<SqlBool>`coalesce(${text} GLOB ${caseInsensitiveGlob(needle)}, 0)`;
}

/** The scope as conditions on a session row. */
function rowInScope(row: string, scope: SearchScope) {
  return [
    ...(scope.accountIds === 'all' ? [] : [inAccounts(`${row}.account_id`, scope.accountIds)]),
    ...(scope.searchArchive ? [] : [sql<SqlBool>`${sql.ref(`${row}.archived`)} = 0`]),
  ];
}
