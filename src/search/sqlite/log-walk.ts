import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { Database } from '../../store/schema.js';
import { inAccounts, type SearchScope } from '../text-search.js';
import { firstChunk, lastChunk, PENDING_KEYS } from './index-tables.js';

/**
 * How one log needle is looked up in `session_log_search` (see README.md), within the
 * partitions in scope. When `glob` is set the chunks found are only candidates, and the session's
 * whole log must match it.
 */
export interface LogWalk {
  /** The session keys of the chunks found (a key may repeat). */
  keys(): RawBuilder<unknown>;
  /**
   * Whether the session row aliased `row`, keyed `key`, has a chunk found: for rows walked in
   * another index's order.
   */
  holds(row: string, key: RawBuilder<unknown>): RawBuilder<SqlBool>;
  /** The number of sessions matching, when the chunks found are the answer (no `glob`). */
  count(): RawBuilder<{ n: number }> | undefined;
  readonly glob?: string;
}

// Each trigram's chunks in scope are counted up to this bound (cheap: a count stops there).
const COUNTED_UP_TO = 2000;
// How many of the rarest trigrams the candidates must all hold, and how few candidates are worth
// re-checking one by one (~30 µs each) rather than walking the phrase.
const RAREST = 3;
const FEW_ENOUGH = 1000;
// Long needles: the first few dozen trigrams are plenty to find a rare one.
const MOST_COUNTED = 24;

/** An FTS5 phrase: the text quoted, its quotes doubled. */
export const phrase = (text: string) => `"${text.replace(/"/g, '""')}"`;

function partitionsIn(scope: SearchScope, archived?: 0 | 1) {
  return sql.join(
    [
      scope.accountIds === 'all' ? sql`1 = 1` : inAccounts('p.account_id', scope.accountIds),
      archived !== undefined ? sql`p.archived = ${sql.lit(archived)}` : scope.searchArchive ? sql`1 = 1` : sql`p.archived = 0`,
    ],
    sql` AND `,
  );
}

/**
 * The chunks in scope matching an FTS5 query. CROSS JOIN keeps the partitions the outer loop, so
 * each partition's rowid range reaches FTS5, which then walks only that range of each doclist
 * (measured: a phrase in 15% of calls, 1M sessions: 220 ms over every partition, 8 ms within one
 * account's live sessions); the planner left alone walks the whole doclists.
 */
const chunksMatching = (match: string, scope: SearchScope, select: string, options: { limit?: number; archived?: 0 | 1; keyed?: boolean; unnoted?: boolean } = {}) =>
  sql`SELECT ${sql.raw(select)} FROM session_log_partitions p
      CROSS JOIN session_log_search f ON f.rowid BETWEEN ${sql.raw(firstChunk('p'))} AND ${sql.raw(lastChunk('p'))}
      ${options.keyed ? sql`JOIN session_log_chunks c ON c.chunk = f.rowid` : sql``}
      WHERE session_log_search MATCH ${match} AND ${partitionsIn(scope, options.archived)}${options.unnoted ? sql` AND c.session_key NOT IN (${sql.raw(PENDING_KEYS)})` : sql``}${
        options.limit === undefined ? sql`` : sql` LIMIT ${sql.lit(options.limit)}`
      }`;

/**
 * How many noted sessions (see README.md) have an archived chunk in scope matching:
 * an archived hit is counted by its one chunk, unlooked-up, so the noted ones are taken off again
 * (the search counts noted sessions from their rows). One FTS5 lookup by rowid per noted chunk;
 * archived sessions are noted only while being archived or changed. CROSS JOIN keeps the notes the
 * outer loop: left to itself, the planner walked every chunk (15 s against 0.7 for the count, 200,000 sessions).
 */
const notedArchivedChunksMatching = (match: string, scope: SearchScope) =>
  sql`SELECT count(*) FROM session_search_pending q
      CROSS JOIN session_log_chunks c ON c.session_key = q.session_key
      CROSS JOIN session_log_partitions p ON c.chunk BETWEEN ${sql.raw(firstChunk('p'))} AND ${sql.raw(lastChunk('p'))}
      WHERE ${partitionsIn(scope, 1)} AND EXISTS (SELECT 1 FROM session_log_search WHERE rowid = c.chunk AND session_log_search MATCH ${match})`;

/** The walk of the chunks matching `match`; `exact` when they are the answer. */
function matchWalk(match: string, scope: SearchScope, manyNoted: boolean, glob?: string): LogWalk {
  return {
    glob,
    keys: () => chunksMatching(match, scope, 'c.session_key', { keyed: true }),
    // The keys found once, then each row's key looked up among them (an IN list nested in a
    // correlated subquery would be walked again for every row). Archived keys only when an
    // archived row comes: a first page of the newest sessions rarely reaches the archive.
    holds: (row, key) =>
      scope.searchArchive
        ? sql<SqlBool>`(CASE WHEN ${sql.raw(row)}.archived = 0 THEN ${key} IN (${chunksMatching(match, scope, 'c.session_key', { keyed: true, archived: 0 })})
            ELSE ${key} IN (${chunksMatching(match, scope, 'c.session_key', { keyed: true, archived: 1 })}) END)`
        : sql<SqlBool>`${key} IN (${chunksMatching(match, scope, 'c.session_key', { keyed: true })})`,
    // An archived session's log is one chunk (archiving rewrites it so, and later changes rewrite
    // it again), so archived hits need no lookup to be counted once each; live ones may repeat.
    // Noted sessions are left out: the search counts them from their rows.
    count: () =>
      glob !== undefined
        ? undefined
        : sql<{ n: number }>`SELECT (SELECT count(DISTINCT c.session_key) FROM (${chunksMatching(match, scope, 'c.session_key', { keyed: true, archived: 0, unnoted: true })}) c)${
            !scope.searchArchive
              ? sql``
              : manyNoted
                ? sql` + (SELECT count(*) FROM (${chunksMatching(match, scope, '1', { keyed: true, archived: 1, unnoted: true })}))`
                : sql` + (SELECT count(*) FROM (${chunksMatching(match, scope, '1', { archived: 1 })})) - (${notedArchivedChunksMatching(match, scope)})`
          } AS n`,
  };
}

/** Every session with a log in scope, for a needle with no trigram to look up. */
function everyChunk(scope: SearchScope, glob: string): LogWalk {
  return {
    glob,
    keys: () =>
      sql`SELECT c.session_key FROM session_log_partitions p
          JOIN session_log_chunks c ON c.chunk BETWEEN ${sql.raw(firstChunk('p'))} AND ${sql.raw(lastChunk('p'))}
          WHERE ${partitionsIn(scope)}`,
    holds: () => sql<SqlBool>`1 = 1`,
    count: () => undefined,
  };
}

/** The distinct trigrams of `text` (by code point, as the tokenizer cuts them; case folded). */
function trigramsOf(text: string): string[] {
  const chars = [...text];
  const seen = new Map<string, string>();
  for (let i = 0; i + 3 <= chars.length; i++) {
    const trigram = chars.slice(i, i + 3).join('');
    if (!seen.has(trigram.toLowerCase())) seen.set(trigram.toLowerCase(), trigram);
  }
  return [...seen.values()];
}

/**
 * Plans the walk for `needle`. A phrase MATCH is exact, but FTS5 walks every one of the phrase's
 * trigrams through the scope: a needle mostly made of common trigrams ("Incoming call from
 * +1669…") costs ~100 ms at 1M sessions though it names one call. So each trigram's chunks in scope
 * are counted first (each count stops at COUNTED_UP_TO); when the chunks holding the rarest few
 * are few, they are the candidates, re-checked against the whole log.
 */
export async function planLogWalk(db: Kysely<Database>, needle: string, scope: SearchScope): Promise<LogWalk> {
  const pieces = needle.split('\n');
  // Shorter than a trigram: no index entry holds it, so every session with a log in scope is a
  // candidate and its whole log decides. (Lists never ask: they check such a needle as a row
  // condition, TextSearch.rowContains, on the rows their other filters leave.)
  if (pieces.length === 1 && [...needle].length < 3) return everyChunk(scope, caseInsensitiveGlob(needle));
  if (pieces.length === 1) {
    // Only an archived count leaves notes out two ways; a live search never asks.
    const [{ match, exact }, manyNoted] = await Promise.all([chooseMatch(db, needle, scope), scope.searchArchive && hasManyNotes(db)]);
    return matchWalk(match, scope, manyNoted, exact ? undefined : caseInsensitiveGlob(needle));
  }
  // Spanning lines, hence maybe chunks: the longest piece finds candidates (every chunk in scope
  // when no piece has a trigram), and the session's whole log decides.
  const longest = pieces.reduce((a, b) => ([...b].length > [...a].length ? b : a));
  const glob = caseInsensitiveGlob(needle);
  return [...longest].length >= 3 ? matchWalk((await chooseMatch(db, longest, scope)).match, scope, false, glob) : everyChunk(scope, glob);
}

// Past this many notes, taking noted sessions off an archived count one FTS5 lookup each (~0.3 ms)
// costs more than looking up every archived hit's chunk row (~1 µs each) to leave them out.
const MANY_NOTES = 100;

/**
 * Whether the index has many notes waiting (the indexer catching up after a mass archive): only
 * which way an archived count leaves them out depends on it, never the answer.
 */
async function hasManyNotes(db: Kysely<Database>): Promise<boolean> {
  const { rows } = await sql<{ n: number }>`SELECT count(*) AS n FROM (SELECT 1 FROM session_search_pending LIMIT ${sql.lit(MANY_NOTES)})`.execute(db);
  return rows[0]!.n >= MANY_NOTES;
}

/** The FTS5 query finding the chunks that may hold `text` (a line-free needle); `exact` when those are exactly the chunks that do. */
async function chooseMatch(db: Kysely<Database>, text: string, scope: SearchScope): Promise<{ match: string; exact: boolean }> {
  const whole = { match: `log : ${phrase(text)}`, exact: true };
  const trigrams = trigramsOf(text).slice(0, MOST_COUNTED);
  if (trigrams.length <= RAREST) return whole;
  const counts = sql.join(trigrams.map((trigram) => sql`(SELECT count(*) FROM (${chunksMatching(`log : ${phrase(trigram)}`, scope, '1', { limit: COUNTED_UP_TO })}))`));
  const { rows } = await sql<{ counts: string }>`SELECT json_array(${counts}) AS counts`.execute(db);
  // Ties (counts stopped at the bound) go to the needle's end: text people search for tends to
  // open with the words every log has ("from +1…", "Ringing …") and end with what is particular.
  const byRarity = (JSON.parse(rows[0]!.counts) as number[]).map((n, i) => ({ n, i, trigram: trigrams[i]! })).sort((a, b) => a.n - b.n || b.i - a.i);
  const rarest = byRarity.slice(0, RAREST).map(({ trigram }) => `log : ${phrase(trigram)}`).join(' AND ');
  // Only when they are few: a phrase whose trigrams are all fairly rare is cheap to walk whole
  // ("gateway timeout": 1.4 ms, where re-checking its 1,352 candidates took 70 ms). Counting
  // stops at the bound, so a common needle's check is cheap too.
  const { rows: few } = await sql<{ n: number }>`SELECT count(*) AS n FROM (${chunksMatching(rarest, scope, '1', { limit: FEW_ENOUGH })})`.execute(db);
  return few[0]!.n < FEW_ENOUGH ? { match: rarest, exact: false } : whole;
}

/**
 * A GLOB pattern matching text that contains `needle`, ignoring case one character at a time
 * (`[eE]`), as the trigram tokenizer folds case; `*`, `?` and `[` are taken literally.
 *
 * @example
 * caseInsensitiveGlob('a*1') // '*[aA][*]1*'
 */
export function caseInsensitiveGlob(needle: string): string {
  let pattern = '*';
  for (const char of needle) {
    const forms = new Set([char, char.toLowerCase(), char.toUpperCase()].filter((form) => [...form].length === 1));
    if (forms.size > 1) pattern += `[${[...forms].join('')}]`;
    else pattern += '*?['.includes(char) ? `[${char}]` : char;
  }
  return pattern + '*';
}
