// How the planner reads the SQLite search index's tables (README.md describes them; schema/ built
// them). A chunk's id is `partition << 40 | sequence`, where a partition is one (account,
// archived) pair: 2^40 chunks each, 2^23 partitions.

/** The first chunk id of the partition aliased `partition`. */
export const firstChunk = (partition: string) => `(${partition}.id << 40)`;
/** The last chunk id the partition aliased `partition` may hold. */
export const lastChunk = (partition: string) => `((${partition}.id << 40) + 1099511627775)`;

/**
 * The messages of `row`'s log from entry `from` (0-based) on, joined by newlines: the text the
 * search matches, as PostgreSQL's `log_text` holds it (entries without a message are skipped).
 */
export const logText = (row: string, from = '0') =>
  `(SELECT group_concat(json_extract(value, '$.message'), char(10)) FROM json_each(${row}.document, '$.log') WHERE key >= ${from})`;

/** The keys of sessions whose index entries may be stale: a search checks these rows themselves. */
export const PENDING_KEYS = 'SELECT session_key FROM session_search_pending';
