// FROZEN: the exact text migration 007-search-deferred-index (numbered 005-search-deferred-index until 2026-12-03) ran, as it ran it on 2026-12-03. Never edit a statement
// here: databases already hold what it built (test/store/frozen-schema.test.ts compares the schema
// after every step with the dump in test/fixtures/schema/). A change to the search engine's schema
// is a new migration with a new file beside this one.
import type { SchemaStep } from '../../search-schema.js';
import { IMMEDIATE_TRIGGERS } from './log-chunks.js';

// Writes no longer index: they note their session in `session_search_pending` (which lines are
// new, whether its log was rewritten, whether its addresses changed), and the indexer consumes the
// notes in batches, one DELETE each, whose trigger indexes each note (../README.md says why: FTS5
// writes a segment per transaction, ~700 µs a commit whatever it held).

const PENDING_TABLE = `CREATE TABLE session_search_pending (session_key INTEGER PRIMARY KEY, log_from INTEGER, rewrite INTEGER NOT NULL DEFAULT 0, addresses INTEGER NOT NULL DEFAULT 0)`;

/** Still the insert trigger today: a bulk load drops it and makes it again with this text. */
export const NOTE_INSERT_TRIGGER = `CREATE TRIGGER sessions_search_insert AFTER INSERT ON sessions BEGIN
  INSERT INTO session_search_keys (account_id, session_id) VALUES (NEW.account_id, NEW.id);
  INSERT INTO session_search_pending (session_key, log_from, addresses) VALUES (last_insert_rowid(), 0, 1);
END`;

export const NOTE_ADDRESSES_TRIGGER = `CREATE TRIGGER sessions_search_addresses AFTER UPDATE OF from_address, to_address ON sessions
   WHEN OLD.from_address IS NOT NEW.from_address OR OLD.to_address IS NOT NEW.to_address
   BEGIN
     INSERT INTO session_search_pending (session_key, addresses) VALUES ((SELECT key FROM session_search_keys WHERE account_id = NEW.account_id AND session_id = NEW.id), 1)
       ON CONFLICT (session_key) DO UPDATE SET addresses = 1;
   END`;

// The first note since the session was last indexed says where its unindexed lines begin; a note
// that is there already began earlier.
export const NOTE_APPENDED_LINES_TRIGGER = `CREATE TRIGGER sessions_search_log_appended AFTER UPDATE OF document ON sessions
   WHEN OLD.archived = 0 AND NEW.archived = 0 AND json_extract(OLD.document, '$.log') IS NOT json_extract(NEW.document, '$.log') AND (CASE WHEN json_type(NEW.document, '$.log') IS NOT 'array' THEN 0
   WHEN json_extract(OLD.document, '$.log') IS NULL OR json_extract(OLD.document, '$.log') = '[]' THEN 1
   WHEN substr(json_extract(NEW.document, '$.log'), 1, length(json_extract(OLD.document, '$.log'))) = substr(json_extract(OLD.document, '$.log'), 1, length(json_extract(OLD.document, '$.log')) - 1) || ',' THEN 1
   ELSE 0 END) = 1
   BEGIN
     INSERT INTO session_search_pending (session_key, log_from) VALUES ((SELECT key FROM session_search_keys WHERE account_id = NEW.account_id AND session_id = NEW.id), coalesce(json_array_length(OLD.document, '$.log'), 0))
       ON CONFLICT (session_key) DO UPDATE SET log_from = coalesce(log_from, excluded.log_from);
   END`;

export const NOTE_REWRITTEN_LOG_TRIGGER = `CREATE TRIGGER sessions_search_log_rewritten AFTER UPDATE OF document, archived ON sessions
   WHEN OLD.archived IS NOT NEW.archived OR (json_extract(OLD.document, '$.log') IS NOT json_extract(NEW.document, '$.log') AND ((CASE WHEN json_type(NEW.document, '$.log') IS NOT 'array' THEN 0
   WHEN json_extract(OLD.document, '$.log') IS NULL OR json_extract(OLD.document, '$.log') = '[]' THEN 1
   WHEN substr(json_extract(NEW.document, '$.log'), 1, length(json_extract(OLD.document, '$.log'))) = substr(json_extract(OLD.document, '$.log'), 1, length(json_extract(OLD.document, '$.log')) - 1) || ',' THEN 1
   ELSE 0 END) = 0 OR NEW.archived <> 0))
   BEGIN
     INSERT INTO session_search_pending (session_key, log_from, rewrite) VALUES ((SELECT key FROM session_search_keys WHERE account_id = NEW.account_id AND session_id = NEW.id), 0, 1)
       ON CONFLICT (session_key) DO UPDATE SET log_from = 0, rewrite = 1;
   END`;

// Deleting the note first: its indexing trigger then finds no session and does nothing.
export const NOTED_DELETE_TRIGGER = `CREATE TRIGGER sessions_search_delete AFTER DELETE ON sessions BEGIN
     DELETE FROM session_search_pending WHERE session_key = (SELECT key FROM session_search_keys WHERE account_id = OLD.account_id AND session_id = OLD.id);
     DELETE FROM session_log_search WHERE rowid IN (SELECT chunk FROM session_log_chunks WHERE session_key = (SELECT key FROM session_search_keys WHERE account_id = OLD.account_id AND session_id = OLD.id));
     DELETE FROM session_log_chunks WHERE session_key = (SELECT key FROM session_search_keys WHERE account_id = OLD.account_id AND session_id = OLD.id);
     DELETE FROM session_address_search WHERE rowid = (SELECT key FROM session_search_keys WHERE account_id = OLD.account_id AND session_id = OLD.id);
     DELETE FROM session_search_keys WHERE account_id = OLD.account_id AND session_id = OLD.id;
   END`;

// Consuming a note indexes what it says, from the session as it is now: the indexer's batch is one
// DELETE of notes, so the whole batch is one transaction (one FTS5 segment per table). The chunk,
// then its text, each statement extracting the new lines from the document (009 extracts once).
export const INDEX_NOTE_TRIGGER = `CREATE TRIGGER session_search_pending_indexed AFTER DELETE ON session_search_pending
   WHEN EXISTS (SELECT 1 FROM session_search_keys k JOIN sessions s ON s.account_id = k.account_id AND s.id = k.session_id WHERE k.key = OLD.session_key)
   BEGIN
     DELETE FROM session_address_search WHERE OLD.addresses = 1 AND rowid = OLD.session_key;
     INSERT INTO session_address_search (rowid, from_address, to_address)
       SELECT k.key, s.from_address, s.to_address FROM session_search_keys k JOIN sessions s ON s.account_id = k.account_id AND s.id = k.session_id WHERE k.key = OLD.session_key AND OLD.addresses = 1;
     DELETE FROM session_log_search WHERE rowid IN (SELECT chunk FROM session_log_chunks WHERE session_key = OLD.session_key) AND OLD.rewrite = 1;
     DELETE FROM session_log_chunks WHERE session_key = OLD.session_key AND OLD.rewrite = 1;
     INSERT OR IGNORE INTO session_log_partitions (account_id, archived)
       SELECT s.account_id, s.archived FROM session_search_keys k JOIN sessions s ON s.account_id = k.account_id AND s.id = k.session_id WHERE k.key = OLD.session_key AND OLD.log_from IS NOT NULL;
     INSERT INTO session_log_chunks (chunk, session_key)
       SELECT coalesce((SELECT max(c.chunk) FROM session_log_chunks c WHERE c.chunk BETWEEN (p.id << 40) AND ((p.id << 40) + 1099511627775)), (p.id << 40)) + 1, k.key
       FROM session_search_keys k JOIN sessions s ON s.account_id = k.account_id AND s.id = k.session_id JOIN session_log_partitions p ON p.account_id = s.account_id AND p.archived = s.archived
       WHERE k.key = OLD.session_key AND OLD.log_from IS NOT NULL AND (SELECT group_concat(json_extract(value, '$.message'), char(10)) FROM json_each(s.document, '$.log') WHERE key >= OLD.log_from) IS NOT NULL;
     INSERT INTO session_log_search (rowid, log)
       SELECT last_insert_rowid(), (SELECT group_concat(json_extract(value, '$.message'), char(10)) FROM json_each(s.document, '$.log') WHERE key >= OLD.log_from) FROM session_search_keys k JOIN sessions s ON s.account_id = k.account_id AND s.id = k.session_id WHERE k.key = OLD.session_key AND changes() > 0;
   END`;

export const deferredIndexing: SchemaStep = Object.freeze({
  up: Object.freeze([
    PENDING_TABLE,
    `DROP TRIGGER sessions_search_insert`,
    `DROP TRIGGER sessions_search_addresses`,
    `DROP TRIGGER sessions_search_log_appended`,
    `DROP TRIGGER sessions_search_log_rewritten`,
    `DROP TRIGGER sessions_search_delete`,
    NOTE_INSERT_TRIGGER,
    NOTE_ADDRESSES_TRIGGER,
    NOTE_APPENDED_LINES_TRIGGER,
    NOTE_REWRITTEN_LOG_TRIGGER,
    NOTED_DELETE_TRIGGER,
    INDEX_NOTE_TRIGGER,
  ]),
  // Every note indexed, then 005's triggers again.
  down: Object.freeze([
    `DELETE FROM session_search_pending`,
    `DROP TRIGGER sessions_search_insert`,
    `DROP TRIGGER sessions_search_addresses`,
    `DROP TRIGGER sessions_search_log_appended`,
    `DROP TRIGGER sessions_search_log_rewritten`,
    `DROP TRIGGER sessions_search_delete`,
    `DROP TRIGGER session_search_pending_indexed`,
    `DROP TABLE session_search_pending`,
    ...IMMEDIATE_TRIGGERS,
  ]),
});
