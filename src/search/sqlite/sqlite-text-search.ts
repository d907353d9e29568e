import type { TextSearch } from '../text-search.js';
import { bulkLoad, indexPending } from './index-writer.js';
import { planSearch, termMatchesRow } from './search-plan.js';

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
 * whole log (log-walk.ts plans which).
 *
 * Writes do not index: they note their session in `session_search_pending`, and a background
 * indexer indexes the notes in batches (README.md says why). A search checks the
 * noted sessions' rows themselves and leaves their index entries aside, so it is exact however far
 * the indexer lags; the lag only costs the search a GLOB per noted session in scope.
 */
export const sqliteTextSearch: TextSearch = Object.freeze({
  minNeedle: 3,
  indexPending,
  bulkLoad,
  search: planSearch,
  // The log text built from the document, as a noted session's row is checked: ~8 µs a session
  // (measured: 46,596 sessions of one account, 356 ms CPU for a needle in none).
  rowContains: termMatchesRow,
});
