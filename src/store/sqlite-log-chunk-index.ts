
// The SQLite search index's upkeep (sqlite-text-search.ts describes the index): its tables, the
// triggers that keep it in step with `sessions`, and the set-based indexing of unindexed sessions.
//
// Migration 004 indexed each write in the write's own transaction. FTS5 writes a segment per
// transaction, which cost ~700 µs a commit whatever the commit held: half of durable ingest's CPU
// (bench/ingest). Migration 005 defers it: a write only notes its session in
// `session_search_pending` (which lines are new, whether its log was rewritten, whether its
// addresses changed), and a background indexer (search-indexer.ts, started by `migrate`) consumes those notes in
// batches, one transaction each. Searches read the notes too (`PENDING_KEYS`), so their answers
// never lag.

// A partition's chunk ids: `id << 40` up to the next partition's; 2^40 chunks each, 2^23 partitions.
export const firstChunk = (partition: string) => `(${partition}.id << 40)`;
export const lastChunk = (partition: string) => `((${partition}.id << 40) + 1099511627775)`;

/**
 * The messages of `row`'s log from entry `from` (0-based) on, joined by newlines: the text the
 * search matches, as PostgreSQL's `log_text` holds it (entries without a message are skipped).
 */
export const logText = (row: string, from = '0') =>
  `(SELECT group_concat(json_extract(value, '$.message'), char(10)) FROM json_each(${row}.document, '$.log') WHERE key >= ${from})`;

export const keyOf = (row: string) => `(SELECT key FROM session_search_keys WHERE account_id = ${row}.account_id AND session_id = ${row}.id)`;

/** The keys of sessions whose index entries may be stale: a search checks these rows themselves. */
export const PENDING_KEYS = 'SELECT session_key FROM session_search_pending';

/**
 * Appends `text` to `row`'s log index as a new chunk of its partition: nothing when it is NULL, or
 * when the session has no key yet (written during a bulk load, which indexes it at its end).
 */
const appendChunk = (row: string, text: string) => [
  `INSERT OR IGNORE INTO session_log_partitions (account_id, archived) VALUES (${row}.account_id, ${row}.archived)`,
  `INSERT INTO session_log_chunks (chunk, session_key)
     SELECT coalesce((SELECT max(c.chunk) FROM session_log_chunks c WHERE c.chunk BETWEEN ${firstChunk('p')} AND ${lastChunk('p')}), ${firstChunk('p')}) + 1, k.key
     FROM session_log_partitions p JOIN session_search_keys k ON k.account_id = p.account_id AND k.session_id = ${row}.id
     WHERE p.account_id = ${row}.account_id AND p.archived = ${row}.archived AND ${text} IS NOT NULL`,
  `INSERT INTO session_log_search (rowid, log) SELECT last_insert_rowid(), ${text} WHERE changes() > 0`,
];

const forgetChunks = (key: string) => [
  `DELETE FROM session_log_search WHERE rowid IN (SELECT chunk FROM session_log_chunks WHERE session_key = ${key})`,
  `DELETE FROM session_log_chunks WHERE session_key = ${key}`,
];

// The log as JSON text, as json_extract renders it: equal logs render alike, and a log that only
// grew renders as the old one without its `]`, then `,` and the new entries.
const OLD_LOG = `json_extract(OLD.document, '$.log')`;
const NEW_LOG = `json_extract(NEW.document, '$.log')`;
// Each condition takes the two logs (or, `changed` and `appended`, what was found of them) as SQL,
// so 005's WHEN clauses and 007's one trigger say the same thing.
const logChanged = (oldLog: string, newLog: string) => `${oldLog} IS NOT ${newLog}`;
const logAppended = (oldLog: string, newLog: string) => `(CASE WHEN json_type(NEW.document, '$.log') IS NOT 'array' THEN 0
   WHEN ${oldLog} IS NULL OR ${oldLog} = '[]' THEN 1
   WHEN substr(${newLog}, 1, length(${oldLog})) = substr(${oldLog}, 1, length(${oldLog}) - 1) || ',' THEN 1
   ELSE 0 END)`;
// Most writes of a live session (state changes) leave its text alone: these WHEN clauses skip them.
const ADDRESSES_CHANGED = 'OLD.from_address IS NOT NEW.from_address OR OLD.to_address IS NOT NEW.to_address';
// Log lines are appended by the event fold: only the new ones are indexed (of a live session; an
// archived one keeps its log in one chunk, which lets a search count archived hits unlooked-up).
const onlyAppended = (changed: string, appended: string) => `OLD.archived = 0 AND NEW.archived = 0 AND ${changed} AND ${appended} = 1`;
// Anything else (a log rewritten, a session archived or restored): its whole log again, as one chunk.
const rewritten = (changed: string, appended: string) => `OLD.archived IS NOT NEW.archived OR (${changed} AND (${appended} = 0 OR NEW.archived <> 0))`;
const LOG_ONLY_APPENDED = onlyAppended(logChanged(OLD_LOG, NEW_LOG), logAppended(OLD_LOG, NEW_LOG));
const LOG_REWRITTEN = rewritten(logChanged(OLD_LOG, NEW_LOG), logAppended(OLD_LOG, NEW_LOG));

const triggerName = (trigger: string) => /CREATE TRIGGER (\w+)/.exec(trigger)![1]!;
const drop = (triggers: readonly string[]) => triggers.map((trigger) => `DROP TRIGGER ${triggerName(trigger)}`);

/** Migration 004: each write indexes its text in its own transaction. */
const IMMEDIATE_INSERT_TRIGGER = `CREATE TRIGGER sessions_search_insert AFTER INSERT ON sessions BEGIN
  INSERT INTO session_search_keys (account_id, session_id) VALUES (NEW.account_id, NEW.id);
  INSERT INTO session_address_search (rowid, from_address, to_address) VALUES (last_insert_rowid(), NEW.from_address, NEW.to_address);
  ${appendChunk('NEW', logText('NEW')).join(';\n  ')};
END`;

const IMMEDIATE_TRIGGERS = [
  IMMEDIATE_INSERT_TRIGGER,
  `CREATE TRIGGER sessions_search_addresses AFTER UPDATE OF from_address, to_address ON sessions
   WHEN ${ADDRESSES_CHANGED}
   BEGIN
     DELETE FROM session_address_search WHERE rowid = ${keyOf('OLD')};
     INSERT INTO session_address_search (rowid, from_address, to_address) VALUES (${keyOf('NEW')}, NEW.from_address, NEW.to_address);
   END`,
  `CREATE TRIGGER sessions_search_log_appended AFTER UPDATE OF document ON sessions
   WHEN ${LOG_ONLY_APPENDED}
   BEGIN
     ${appendChunk('NEW', logText('NEW', `coalesce(json_array_length(OLD.document, '$.log'), 0)`)).join(';\n     ')};
   END`,
  `CREATE TRIGGER sessions_search_log_rewritten AFTER UPDATE OF document, archived ON sessions
   WHEN ${LOG_REWRITTEN}
   BEGIN
     ${[...forgetChunks(keyOf('OLD')), ...appendChunk('NEW', logText('NEW'))].join(';\n     ')};
   END`,
  `CREATE TRIGGER sessions_search_delete AFTER DELETE ON sessions BEGIN
     ${forgetChunks(keyOf('OLD')).join(';\n     ')};
     DELETE FROM session_address_search WHERE rowid = ${keyOf('OLD')};
     DELETE FROM session_search_keys WHERE account_id = OLD.account_id AND session_id = OLD.id;
   END`,
];

/** Migration 005: a write notes what to index; `session_search_pending_indexed` indexes it. */
const DEFERRED_INSERT_TRIGGER = `CREATE TRIGGER sessions_search_insert AFTER INSERT ON sessions BEGIN
  INSERT INTO session_search_keys (account_id, session_id) VALUES (NEW.account_id, NEW.id);
  INSERT INTO session_search_pending (session_key, log_from, addresses) VALUES (last_insert_rowid(), 0, 1);
END`;

// The session a pending note is about, as `s` (and its key as `k`).
const KEYED_SESSION = 'session_search_keys k JOIN sessions s ON s.account_id = k.account_id AND s.id = k.session_id';
const NOTED_SESSION = `${KEYED_SESSION} WHERE k.key = OLD.session_key`;

/** Migration 005's notes of a log write: a trigger for each kind, each WHEN reading both logs anew. */
const LOG_NOTE_TRIGGERS = [
  // The first note since the session was last indexed says where its unindexed lines begin; a
  // note that is there already began earlier.
  `CREATE TRIGGER sessions_search_log_appended AFTER UPDATE OF document ON sessions
   WHEN ${LOG_ONLY_APPENDED}
   BEGIN
     INSERT INTO session_search_pending (session_key, log_from) VALUES (${keyOf('NEW')}, coalesce(json_array_length(OLD.document, '$.log'), 0))
       ON CONFLICT (session_key) DO UPDATE SET log_from = coalesce(log_from, excluded.log_from);
   END`,
  `CREATE TRIGGER sessions_search_log_rewritten AFTER UPDATE OF document, archived ON sessions
   WHEN ${LOG_REWRITTEN}
   BEGIN
     INSERT INTO session_search_pending (session_key, log_from, rewrite) VALUES (${keyOf('NEW')}, 0, 1)
       ON CONFLICT (session_key) DO UPDATE SET log_from = 0, rewrite = 1;
   END`,
];

/**
 * Migration 007: one trigger notes every log write, reading each document's log once. The two
 * above evaluated their WHEN clauses on every write of a document, each extracting and re-encoding
 * both logs ~5 times: an UPDATE that appends a line costs 14–22 µs less with this one (3,000
 * sessions, both trigger sets interleaved in one process).
 * `LIMIT -1 OFFSET 0` keeps SQLite from flattening a subquery, which would copy its column's
 * expression into every use. Its conditions are the two triggers' (`onlyAppended`, `rewritten`), so
 * are its notes: the first since the session was last indexed says where its unindexed lines begin
 * (a note there already began earlier); a rewrite, an archive or a restore asks for the whole log again.
 */
const LOG_NOTE_TRIGGER = `CREATE TRIGGER sessions_search_log_noted AFTER UPDATE OF document, archived ON sessions BEGIN
  INSERT INTO session_search_pending (session_key, log_from, rewrite)
    SELECT ${keyOf('NEW')}, CASE WHEN ${rewritten('changed', 'appended')} THEN 0 ELSE coalesce(json_array_length(OLD.document, '$.log'), 0) END, ${rewritten('changed', 'appended')}
    FROM (SELECT ${logChanged('old_log', 'new_log')} AS changed, ${logAppended('old_log', 'new_log')} AS appended
          FROM (SELECT ${OLD_LOG} AS old_log, ${NEW_LOG} AS new_log LIMIT -1 OFFSET 0)
          LIMIT -1 OFFSET 0)
    WHERE (${onlyAppended('changed', 'appended')}) OR (${rewritten('changed', 'appended')})
  ON CONFLICT (session_key) DO UPDATE SET log_from = CASE WHEN excluded.rewrite THEN 0 ELSE coalesce(log_from, excluded.log_from) END, rewrite = max(rewrite, excluded.rewrite);
END`;

/**
 * Consuming a note indexes what it says, from the session as it is now: the indexer's batch is one
 * DELETE of notes, so the whole batch is one transaction (one FTS5 segment per table).
 * `indexNewLines` are the statements that index the lines from `OLD.log_from` on.
 */
const indexingTrigger = (indexNewLines: readonly string[]) => `CREATE TRIGGER session_search_pending_indexed AFTER DELETE ON session_search_pending
   WHEN EXISTS (SELECT 1 FROM ${NOTED_SESSION})
   BEGIN
     DELETE FROM session_address_search WHERE OLD.addresses = 1 AND rowid = OLD.session_key;
     INSERT INTO session_address_search (rowid, from_address, to_address)
       SELECT k.key, s.from_address, s.to_address FROM ${NOTED_SESSION} AND OLD.addresses = 1;
     ${forgetChunks('OLD.session_key').map((statement) => `${statement} AND OLD.rewrite = 1`).join(';\n     ')};
     INSERT OR IGNORE INTO session_log_partitions (account_id, archived)
       SELECT s.account_id, s.archived FROM ${NOTED_SESSION} AND OLD.log_from IS NOT NULL;
     ${indexNewLines.join(';\n     ')};
   END`;

const NEXT_CHUNK = `coalesce((SELECT max(c.chunk) FROM session_log_chunks c WHERE c.chunk BETWEEN ${firstChunk('p')} AND ${lastChunk('p')}), ${firstChunk('p')}) + 1`;
const NOTED_PARTITION = `${KEYED_SESSION} JOIN session_log_partitions p ON p.account_id = s.account_id AND p.archived = s.archived
       WHERE k.key = OLD.session_key AND OLD.log_from IS NOT NULL`;

/** Migration 005: the chunk, then its text, each statement extracting the new lines from the document. */
const CHUNK_THEN_TEXT = [
  `INSERT INTO session_log_chunks (chunk, session_key)
       SELECT ${NEXT_CHUNK}, k.key
       FROM ${NOTED_PARTITION} AND ${logText('s', 'OLD.log_from')} IS NOT NULL`,
  `INSERT INTO session_log_search (rowid, log)
       SELECT last_insert_rowid(), ${logText('s', 'OLD.log_from')} FROM ${NOTED_SESSION} AND changes() > 0`,
];

/**
 * Migration 007: the text under its chunk's id, extracted once, then the chunk if there was text
 * (an FTS5 insert sets `last_insert_rowid()` and `changes()` as a table's does). The indexer's CPU
 * per note: ~52 -> ~44 µs (3 runs alternated in one process).
 */
const TEXT_THEN_CHUNK = [
  `INSERT INTO session_log_search (rowid, log)
       SELECT chunk, text FROM (SELECT ${NEXT_CHUNK} AS chunk, ${logText('s', 'OLD.log_from')} AS text FROM ${NOTED_PARTITION} LIMIT -1 OFFSET 0)
       WHERE text IS NOT NULL`,
  `INSERT INTO session_log_chunks (chunk, session_key) SELECT last_insert_rowid(), OLD.session_key WHERE changes() > 0`,
];

const DEFERRED_TRIGGERS = [
  DEFERRED_INSERT_TRIGGER,
  `CREATE TRIGGER sessions_search_addresses AFTER UPDATE OF from_address, to_address ON sessions
   WHEN ${ADDRESSES_CHANGED}
   BEGIN
     INSERT INTO session_search_pending (session_key, addresses) VALUES (${keyOf('NEW')}, 1)
       ON CONFLICT (session_key) DO UPDATE SET addresses = 1;
   END`,
  ...LOG_NOTE_TRIGGERS,
  // Deleting the note first: its indexing trigger then finds no session and does nothing.
  `CREATE TRIGGER sessions_search_delete AFTER DELETE ON sessions BEGIN
     DELETE FROM session_search_pending WHERE session_key = ${keyOf('OLD')};
     ${forgetChunks(keyOf('OLD')).join(';\n     ')};
     DELETE FROM session_address_search WHERE rowid = ${keyOf('OLD')};
     DELETE FROM session_search_keys WHERE account_id = OLD.account_id AND session_id = OLD.id;
   END`,
  indexingTrigger(CHUNK_THEN_TEXT),
];

/** Indexes the sessions the index does not know yet (at install, and after a bulk load). */
export const indexUnindexed = (afterKey: number) => {
  const after = Math.trunc(afterKey);
  return [
    `INSERT INTO session_search_keys (account_id, session_id)
       SELECT account_id, id FROM sessions s
       WHERE NOT EXISTS (SELECT 1 FROM session_search_keys k WHERE k.account_id = s.account_id AND k.session_id = s.id)`,
    `INSERT INTO session_address_search (rowid, from_address, to_address)
       SELECT k.key, s.from_address, s.to_address
       FROM session_search_keys k JOIN sessions s ON s.account_id = k.account_id AND s.id = k.session_id
       WHERE k.key > ${after}`,
    `INSERT OR IGNORE INTO session_log_partitions (account_id, archived)
       SELECT DISTINCT s.account_id, s.archived
       FROM session_search_keys k JOIN sessions s ON s.account_id = k.account_id AND s.id = k.session_id
       WHERE k.key > ${after}`,
    // A chunk for every session with log entries, numbered on within its partition.
    `INSERT INTO session_log_chunks (chunk, session_key)
       SELECT coalesce((SELECT max(c.chunk) FROM session_log_chunks c WHERE c.chunk BETWEEN ${firstChunk('p')} AND ${lastChunk('p')}), ${firstChunk('p')})
                + row_number() OVER (PARTITION BY p.id ORDER BY k.key), k.key
       FROM session_search_keys k
       JOIN sessions s ON s.account_id = k.account_id AND s.id = k.session_id
       JOIN session_log_partitions p ON p.account_id = s.account_id AND p.archived = s.archived
       WHERE k.key > ${after} AND json_array_length(s.document, '$.log') > 0`,
    `INSERT INTO session_log_search (rowid, log)
       SELECT c.chunk, ${logText('s')}
       FROM session_log_chunks c
       JOIN session_search_keys k ON k.key = c.session_key
       JOIN sessions s ON s.account_id = k.account_id AND s.id = k.session_id
       WHERE c.session_key > ${after}`,
  ];
};

const CHUNK_TABLES = [
  `CREATE VIRTUAL TABLE session_address_search USING fts5(from_address, to_address, tokenize = 'trigram', content = '', contentless_delete = 1)`,
  `CREATE TABLE session_log_partitions (id INTEGER PRIMARY KEY, account_id TEXT NOT NULL, archived INTEGER NOT NULL, UNIQUE (account_id, archived))`,
  `CREATE TABLE session_log_chunks (chunk INTEGER PRIMARY KEY, session_key INTEGER NOT NULL)`,
  `CREATE INDEX session_log_chunks_session ON session_log_chunks (session_key)`,
  `CREATE VIRTUAL TABLE session_log_search USING fts5(log, tokenize = 'trigram', content = '', contentless_delete = 1)`,
];

/** The DDL of each step, as statements (the chunk index's predecessor is dropped and restored by the caller). */
export const logChunkIndex = Object.freeze({
  /** Migration 004, after 003's index is dropped: the tables, every session indexed, the immediate triggers. */
  install: [...CHUNK_TABLES, ...indexUnindexed(0), ...IMMEDIATE_TRIGGERS],
  uninstall: [
    ...drop(IMMEDIATE_TRIGGERS),
    ...['session_log_search', 'session_log_chunks', 'session_log_partitions', 'session_address_search'].map((table) => `DROP TABLE ${table}`),
  ],
  /** Migration 005: notes instead of indexing in the write. */
  defer: [
    `CREATE TABLE session_search_pending (session_key INTEGER PRIMARY KEY, log_from INTEGER, rewrite INTEGER NOT NULL DEFAULT 0, addresses INTEGER NOT NULL DEFAULT 0)`,
    ...drop(IMMEDIATE_TRIGGERS),
    ...DEFERRED_TRIGGERS,
  ],
  /** Migration 005 undone: every note indexed, then 004's triggers again. */
  undefer: ['DELETE FROM session_search_pending', ...drop(DEFERRED_TRIGGERS), 'DROP TABLE session_search_pending', ...IMMEDIATE_TRIGGERS],
  /**
   * Migration 007: one trigger instead of two notes a log write (`LOG_NOTE_TRIGGER`), and indexing
   * a note extracts its new lines once (`TEXT_THEN_CHUNK`).
   */
  readTextOnce: [...drop([...LOG_NOTE_TRIGGERS, indexingTrigger(CHUNK_THEN_TEXT)]), LOG_NOTE_TRIGGER, indexingTrigger(TEXT_THEN_CHUNK)],
  /** Migration 007 undone: 005's triggers again. */
  readTextPerStatement: [...drop([LOG_NOTE_TRIGGER, indexingTrigger(TEXT_THEN_CHUNK)]), ...LOG_NOTE_TRIGGERS, indexingTrigger(CHUNK_THEN_TEXT)],
  /** A bulk load runs without the insert trigger, then indexes what it loaded with `indexUnindexed`. */
  insertTrigger: DEFERRED_INSERT_TRIGGER,
  /**
   * Indexes up to `limit` noted sessions, oldest notes first: one statement, so one transaction.
   * Its first parameter is the limit.
   */
  indexPending: `DELETE FROM session_search_pending WHERE session_key IN (SELECT session_key FROM session_search_pending ORDER BY session_key LIMIT ?)`,
});
