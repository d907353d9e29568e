import { CompiledQuery, sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { Database } from './schema.js';
import { caseInsensitiveGlob, phrase, planLogWalk, type LogWalk } from './sqlite-log-walk.js';
import { indexUnindexed, logChunkIndex, logText, PENDING_KEYS } from './sqlite-log-chunk-index.js';
import { inAccounts, type Search, type SearchHit, type SearchScope, type SearchTerm, type TextSearch } from './text-search.js';
import { wholeLogIndex } from './sqlite-whole-log-index.js';

/**
 * SQLite: FTS5 trigram indexes. A quoted phrase of trigrams at consecutive positions is an exact
 * case-insensitive substring, so MATCH needs no re-check and the tables are contentless (the text
 * lives once, in the document). FTS rowids never come from `sessions.rowid`, which VACUUM may
 * renumber on a table without an INTEGER PRIMARY KEY.
 *
 * Addresses: one row per session in `session_address_search`, rowid = `session_search_keys.key`.
 *
 * Logs: one row per *chunk* in `session_log_search` — the lines one write appended (a whole log
 * when a session is inserted, imported or rewritten; one line when the event fold appends one), so
 * an appended line is tokenized once, not the whole log again on every event (the old trigger's
 * cost: ~35% of ingest CPU). A chunk's id is `partition << 40 | sequence`, where a partition is one
 * (account, archived) pair: a search walks only the rowid ranges of the partitions it may return,
 * so a phrase common across the store costs what it costs within one account's live sessions.
 * Archiving a session moves its log to the archived partition (one chunk again).
 *
 * A needle without a newline lies within one line, hence within one chunk: a phrase MATCH is exact.
 * A needle spanning lines may span chunks, and a needle made mostly of common trigrams is cheaper
 * found by its rarest ones: then the chunks found are candidates, re-checked against the session's
 * whole log (sqlite-log-walk.ts plans which).
 *
 * Writes do not index: they note their session in `session_search_pending`, and a background
 * indexer indexes the notes in batches (sqlite-log-chunk-index.ts says why). A search checks the
 * noted sessions' rows themselves and leaves their index entries aside, so it is exact however far
 * the indexer lags; the lag only costs the search a GLOB per noted session in scope.
 */
export const sqliteTextSearch: TextSearch = Object.freeze({
  minNeedle: 3,
  install: wholeLogIndex.install,
  async indexLogChunks(db: Kysely<unknown>) {
    await run(db, [...wholeLogIndex.uninstall, ...logChunkIndex.install]);
  },
  async unindexLogChunks(db: Kysely<unknown>) {
    await run(db, [...logChunkIndex.uninstall, ...wholeLogIndex.restore]);
  },
  async deferIndexing(db: Kysely<unknown>) {
    await run(db, logChunkIndex.defer);
  },
  async undeferIndexing(db: Kysely<unknown>) {
    await run(db, logChunkIndex.undefer);
  },
  async readTextOnce(db: Kysely<unknown>) {
    await run(db, logChunkIndex.readTextOnce);
  },
  async readTextPerStatement(db: Kysely<unknown>) {
    await run(db, logChunkIndex.readTextPerStatement);
  },
  async indexPending(db: Kysely<Database>, limit: number) {
    // Looked at first: a DELETE takes the write lock even when it finds nothing.
    const { rows } = await db.executeQuery(CompiledQuery.raw(`${PENDING_KEYS} LIMIT 1`));
    if (!rows.length) return 0;
    const { numAffectedRows } = await db.executeQuery(CompiledQuery.raw(logChunkIndex.indexPending, [limit]));
    return Number(numAffectedRows ?? 0);
  },
  async bulkLoad<T>(db: Kysely<Database>, load: () => Promise<T>) {
    const { rows } = await sql<{ last: number | null }>`SELECT max(key) AS last FROM session_search_keys`.execute(db);
    const afterKey = rows[0]?.last ?? 0;
    // Indexing in one statement afterwards is ~3x faster than row by row in the trigger (measured:
    // 5,000 generated sessions, 0.65 s against 2.0 s).
    await sql.raw('DROP TRIGGER sessions_search_insert').execute(db);
    try {
      return await load();
    } finally {
      await run(db, [...indexUnindexed(afterKey), logChunkIndex.insertTrigger]);
    }
  },
  // The log text built from the document, as a noted session's row is checked: ~8 µs a session
  // (measured: 46,596 sessions of one account, 356 ms CPU for a needle in none).
  rowContains: (row: string, term: SearchTerm) => termMatchesRow(row, term),
  async search(db: Kysely<Database>, terms: readonly SearchTerm[], scope: SearchScope): Promise<Search> {
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
  },
});

/** Whether the session row aliased `row` holds `term`, read from the row itself (as the trigram index folds case). */
function termMatchesRow(row: string, { field, needle }: SearchTerm) {
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

async function run<DB>(db: Kysely<DB>, statements: readonly string[]) {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
