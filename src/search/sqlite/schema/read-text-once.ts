// FROZEN: the exact text migration 009-search-read-text-once (numbered 007-search-read-text-once until 2026-12-03) ran, as it ran it on 2026-12-03. Never edit a statement
// here: databases already hold what it built (test/store/frozen-schema.test.ts compares the schema
// after every step with the dump in test/fixtures/schema/). A change to the search engine's schema
// is a new migration with a new file beside this one.
import type { SchemaStep } from '../../search-schema.js';
import { INDEX_NOTE_TRIGGER, NOTE_APPENDED_LINES_TRIGGER, NOTE_REWRITTEN_LOG_TRIGGER } from './deferred-indexing.js';

// One trigger notes every log write, reading each document's log once. 007's two evaluated their
// WHEN clauses on every write of a document, each extracting and re-encoding both logs ~5 times:
// an UPDATE that appends a line costs 14–22 µs less with this one (3,000 sessions, both trigger
// sets interleaved in one process). `LIMIT -1 OFFSET 0` keeps SQLite from flattening a subquery,
// which would copy its column's expression into every use. Its notes are 007's two triggers'.
export const NOTE_LOG_TRIGGER = `CREATE TRIGGER sessions_search_log_noted AFTER UPDATE OF document, archived ON sessions BEGIN
  INSERT INTO session_search_pending (session_key, log_from, rewrite)
    SELECT (SELECT key FROM session_search_keys WHERE account_id = NEW.account_id AND session_id = NEW.id), CASE WHEN OLD.archived IS NOT NEW.archived OR (changed AND (appended = 0 OR NEW.archived <> 0)) THEN 0 ELSE coalesce(json_array_length(OLD.document, '$.log'), 0) END, OLD.archived IS NOT NEW.archived OR (changed AND (appended = 0 OR NEW.archived <> 0))
    FROM (SELECT old_log IS NOT new_log AS changed, (CASE WHEN json_type(NEW.document, '$.log') IS NOT 'array' THEN 0
   WHEN old_log IS NULL OR old_log = '[]' THEN 1
   WHEN substr(new_log, 1, length(old_log)) = substr(old_log, 1, length(old_log) - 1) || ',' THEN 1
   ELSE 0 END) AS appended
          FROM (SELECT json_extract(OLD.document, '$.log') AS old_log, json_extract(NEW.document, '$.log') AS new_log LIMIT -1 OFFSET 0)
          LIMIT -1 OFFSET 0)
    WHERE (OLD.archived = 0 AND NEW.archived = 0 AND changed AND appended = 1) OR (OLD.archived IS NOT NEW.archived OR (changed AND (appended = 0 OR NEW.archived <> 0)))
  ON CONFLICT (session_key) DO UPDATE SET log_from = CASE WHEN excluded.rewrite THEN 0 ELSE coalesce(log_from, excluded.log_from) END, rewrite = max(rewrite, excluded.rewrite);
END`;

// The text under its chunk's id, extracted once, then the chunk if there was text (an FTS5 insert
// sets `last_insert_rowid()` and `changes()` as a table's does). The indexer's CPU per note:
// ~52 -> ~44 µs (3 runs alternated in one process).
export const INDEX_NOTE_ONCE_TRIGGER = `CREATE TRIGGER session_search_pending_indexed AFTER DELETE ON session_search_pending
   WHEN EXISTS (SELECT 1 FROM session_search_keys k JOIN sessions s ON s.account_id = k.account_id AND s.id = k.session_id WHERE k.key = OLD.session_key)
   BEGIN
     DELETE FROM session_address_search WHERE OLD.addresses = 1 AND rowid = OLD.session_key;
     INSERT INTO session_address_search (rowid, from_address, to_address)
       SELECT k.key, s.from_address, s.to_address FROM session_search_keys k JOIN sessions s ON s.account_id = k.account_id AND s.id = k.session_id WHERE k.key = OLD.session_key AND OLD.addresses = 1;
     DELETE FROM session_log_search WHERE rowid IN (SELECT chunk FROM session_log_chunks WHERE session_key = OLD.session_key) AND OLD.rewrite = 1;
     DELETE FROM session_log_chunks WHERE session_key = OLD.session_key AND OLD.rewrite = 1;
     INSERT OR IGNORE INTO session_log_partitions (account_id, archived)
       SELECT s.account_id, s.archived FROM session_search_keys k JOIN sessions s ON s.account_id = k.account_id AND s.id = k.session_id WHERE k.key = OLD.session_key AND OLD.log_from IS NOT NULL;
     INSERT INTO session_log_search (rowid, log)
       SELECT chunk, text FROM (SELECT coalesce((SELECT max(c.chunk) FROM session_log_chunks c WHERE c.chunk BETWEEN (p.id << 40) AND ((p.id << 40) + 1099511627775)), (p.id << 40)) + 1 AS chunk, (SELECT group_concat(json_extract(value, '$.message'), char(10)) FROM json_each(s.document, '$.log') WHERE key >= OLD.log_from) AS text FROM session_search_keys k JOIN sessions s ON s.account_id = k.account_id AND s.id = k.session_id JOIN session_log_partitions p ON p.account_id = s.account_id AND p.archived = s.archived
       WHERE k.key = OLD.session_key AND OLD.log_from IS NOT NULL LIMIT -1 OFFSET 0)
       WHERE text IS NOT NULL;
     INSERT INTO session_log_chunks (chunk, session_key) SELECT last_insert_rowid(), OLD.session_key WHERE changes() > 0;
   END`;

export const readTextOnce: SchemaStep = Object.freeze({
  up: Object.freeze([
    `DROP TRIGGER sessions_search_log_appended`,
    `DROP TRIGGER sessions_search_log_rewritten`,
    `DROP TRIGGER session_search_pending_indexed`,
    NOTE_LOG_TRIGGER,
    INDEX_NOTE_ONCE_TRIGGER,
  ]),
  down: Object.freeze([
    `DROP TRIGGER sessions_search_log_noted`,
    `DROP TRIGGER session_search_pending_indexed`,
    NOTE_APPENDED_LINES_TRIGGER,
    NOTE_REWRITTEN_LOG_TRIGGER,
    INDEX_NOTE_TRIGGER,
  ]),
});
