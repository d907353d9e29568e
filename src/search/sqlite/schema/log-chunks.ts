// FROZEN: the exact text migration 005-search-log-chunks (numbered 004-search-log-chunks until 2026-12-03) ran, as it ran it on 2026-12-03. Never edit a statement
// here: databases already hold what it built (test/store/frozen-schema.test.ts compares the schema
// after every step with the dump in test/fixtures/schema/). A change to the search engine's schema
// is a new migration with a new file beside this one.
import type { SchemaStep } from '../../search-schema.js';
import { WHOLE_LOG_INDEX } from './whole-log-index.js';

// Log text indexed once per appended batch of lines (a chunk), by account and archive state (a
// partition): see ../README.md. Each write indexes its text in its own transaction; 007 defers it.

const CHUNK_TABLES = [
    `CREATE VIRTUAL TABLE session_address_search USING fts5(from_address, to_address, tokenize = 'trigram', content = '', contentless_delete = 1)`,
    `CREATE TABLE session_log_partitions (id INTEGER PRIMARY KEY, account_id TEXT NOT NULL, archived INTEGER NOT NULL, UNIQUE (account_id, archived))`,
    `CREATE TABLE session_log_chunks (chunk INTEGER PRIMARY KEY, session_key INTEGER NOT NULL)`,
    `CREATE INDEX session_log_chunks_session ON session_log_chunks (session_key)`,
    `CREATE VIRTUAL TABLE session_log_search USING fts5(log, tokenize = 'trigram', content = '', contentless_delete = 1)`,
  ];

// Every session 004 had indexed, converted: its addresses, its partition, one chunk of its whole log.
const INDEX_EVERY_SESSION = [
    `INSERT INTO session_search_keys (account_id, session_id)
       SELECT account_id, id FROM sessions s
       WHERE NOT EXISTS (SELECT 1 FROM session_search_keys k WHERE k.account_id = s.account_id AND k.session_id = s.id)`,
    `INSERT INTO session_address_search (rowid, from_address, to_address)
       SELECT k.key, s.from_address, s.to_address
       FROM session_search_keys k JOIN sessions s ON s.account_id = k.account_id AND s.id = k.session_id
       WHERE k.key > 0`,
    `INSERT OR IGNORE INTO session_log_partitions (account_id, archived)
       SELECT DISTINCT s.account_id, s.archived
       FROM session_search_keys k JOIN sessions s ON s.account_id = k.account_id AND s.id = k.session_id
       WHERE k.key > 0`,
    `INSERT INTO session_log_chunks (chunk, session_key)
       SELECT coalesce((SELECT max(c.chunk) FROM session_log_chunks c WHERE c.chunk BETWEEN (p.id << 40) AND ((p.id << 40) + 1099511627775)), (p.id << 40))
                + row_number() OVER (PARTITION BY p.id ORDER BY k.key), k.key
       FROM session_search_keys k
       JOIN sessions s ON s.account_id = k.account_id AND s.id = k.session_id
       JOIN session_log_partitions p ON p.account_id = s.account_id AND p.archived = s.archived
       WHERE k.key > 0 AND json_array_length(s.document, '$.log') > 0`,
    `INSERT INTO session_log_search (rowid, log)
       SELECT c.chunk, (SELECT group_concat(json_extract(value, '$.message'), char(10)) FROM json_each(s.document, '$.log') WHERE key >= 0)
       FROM session_log_chunks c
       JOIN session_search_keys k ON k.key = c.session_key
       JOIN sessions s ON s.account_id = k.account_id AND s.id = k.session_id
       WHERE c.session_key > 0`,
  ];

export const IMMEDIATE_INSERT_TRIGGER = `CREATE TRIGGER sessions_search_insert AFTER INSERT ON sessions BEGIN
  INSERT INTO session_search_keys (account_id, session_id) VALUES (NEW.account_id, NEW.id);
  INSERT INTO session_address_search (rowid, from_address, to_address) VALUES (last_insert_rowid(), NEW.from_address, NEW.to_address);
  INSERT OR IGNORE INTO session_log_partitions (account_id, archived) VALUES (NEW.account_id, NEW.archived);
  INSERT INTO session_log_chunks (chunk, session_key)
     SELECT coalesce((SELECT max(c.chunk) FROM session_log_chunks c WHERE c.chunk BETWEEN (p.id << 40) AND ((p.id << 40) + 1099511627775)), (p.id << 40)) + 1, k.key
     FROM session_log_partitions p JOIN session_search_keys k ON k.account_id = p.account_id AND k.session_id = NEW.id
     WHERE p.account_id = NEW.account_id AND p.archived = NEW.archived AND (SELECT group_concat(json_extract(value, '$.message'), char(10)) FROM json_each(NEW.document, '$.log') WHERE key >= 0) IS NOT NULL;
  INSERT INTO session_log_search (rowid, log) SELECT last_insert_rowid(), (SELECT group_concat(json_extract(value, '$.message'), char(10)) FROM json_each(NEW.document, '$.log') WHERE key >= 0) WHERE changes() > 0;
END`;

// Most writes of a live session (state changes) leave its text alone: the WHEN clauses skip them.
export const REINDEX_ADDRESSES_TRIGGER = `CREATE TRIGGER sessions_search_addresses AFTER UPDATE OF from_address, to_address ON sessions
   WHEN OLD.from_address IS NOT NEW.from_address OR OLD.to_address IS NOT NEW.to_address
   BEGIN
     DELETE FROM session_address_search WHERE rowid = (SELECT key FROM session_search_keys WHERE account_id = OLD.account_id AND session_id = OLD.id);
     INSERT INTO session_address_search (rowid, from_address, to_address) VALUES ((SELECT key FROM session_search_keys WHERE account_id = NEW.account_id AND session_id = NEW.id), NEW.from_address, NEW.to_address);
   END`;

// Log lines are appended by the event fold: only the new ones are indexed, as a chunk of their own
// (of a live session; an archived one keeps its log in one chunk, which lets a search count
// archived hits unlooked-up). The log as json_extract renders it: a log that only grew renders as
// the old one without its `]`, then `,` and the new entries.
export const INDEX_APPENDED_LINES_TRIGGER = `CREATE TRIGGER sessions_search_log_appended AFTER UPDATE OF document ON sessions
   WHEN OLD.archived = 0 AND NEW.archived = 0 AND json_extract(OLD.document, '$.log') IS NOT json_extract(NEW.document, '$.log') AND (CASE WHEN json_type(NEW.document, '$.log') IS NOT 'array' THEN 0
   WHEN json_extract(OLD.document, '$.log') IS NULL OR json_extract(OLD.document, '$.log') = '[]' THEN 1
   WHEN substr(json_extract(NEW.document, '$.log'), 1, length(json_extract(OLD.document, '$.log'))) = substr(json_extract(OLD.document, '$.log'), 1, length(json_extract(OLD.document, '$.log')) - 1) || ',' THEN 1
   ELSE 0 END) = 1
   BEGIN
     INSERT OR IGNORE INTO session_log_partitions (account_id, archived) VALUES (NEW.account_id, NEW.archived);
     INSERT INTO session_log_chunks (chunk, session_key)
     SELECT coalesce((SELECT max(c.chunk) FROM session_log_chunks c WHERE c.chunk BETWEEN (p.id << 40) AND ((p.id << 40) + 1099511627775)), (p.id << 40)) + 1, k.key
     FROM session_log_partitions p JOIN session_search_keys k ON k.account_id = p.account_id AND k.session_id = NEW.id
     WHERE p.account_id = NEW.account_id AND p.archived = NEW.archived AND (SELECT group_concat(json_extract(value, '$.message'), char(10)) FROM json_each(NEW.document, '$.log') WHERE key >= coalesce(json_array_length(OLD.document, '$.log'), 0)) IS NOT NULL;
     INSERT INTO session_log_search (rowid, log) SELECT last_insert_rowid(), (SELECT group_concat(json_extract(value, '$.message'), char(10)) FROM json_each(NEW.document, '$.log') WHERE key >= coalesce(json_array_length(OLD.document, '$.log'), 0)) WHERE changes() > 0;
   END`;

// Anything else (a log rewritten, a session archived or restored): its whole log again, as one chunk.
export const REINDEX_REWRITTEN_LOG_TRIGGER = `CREATE TRIGGER sessions_search_log_rewritten AFTER UPDATE OF document, archived ON sessions
   WHEN OLD.archived IS NOT NEW.archived OR (json_extract(OLD.document, '$.log') IS NOT json_extract(NEW.document, '$.log') AND ((CASE WHEN json_type(NEW.document, '$.log') IS NOT 'array' THEN 0
   WHEN json_extract(OLD.document, '$.log') IS NULL OR json_extract(OLD.document, '$.log') = '[]' THEN 1
   WHEN substr(json_extract(NEW.document, '$.log'), 1, length(json_extract(OLD.document, '$.log'))) = substr(json_extract(OLD.document, '$.log'), 1, length(json_extract(OLD.document, '$.log')) - 1) || ',' THEN 1
   ELSE 0 END) = 0 OR NEW.archived <> 0))
   BEGIN
     DELETE FROM session_log_search WHERE rowid IN (SELECT chunk FROM session_log_chunks WHERE session_key = (SELECT key FROM session_search_keys WHERE account_id = OLD.account_id AND session_id = OLD.id));
     DELETE FROM session_log_chunks WHERE session_key = (SELECT key FROM session_search_keys WHERE account_id = OLD.account_id AND session_id = OLD.id);
     INSERT OR IGNORE INTO session_log_partitions (account_id, archived) VALUES (NEW.account_id, NEW.archived);
     INSERT INTO session_log_chunks (chunk, session_key)
     SELECT coalesce((SELECT max(c.chunk) FROM session_log_chunks c WHERE c.chunk BETWEEN (p.id << 40) AND ((p.id << 40) + 1099511627775)), (p.id << 40)) + 1, k.key
     FROM session_log_partitions p JOIN session_search_keys k ON k.account_id = p.account_id AND k.session_id = NEW.id
     WHERE p.account_id = NEW.account_id AND p.archived = NEW.archived AND (SELECT group_concat(json_extract(value, '$.message'), char(10)) FROM json_each(NEW.document, '$.log') WHERE key >= 0) IS NOT NULL;
     INSERT INTO session_log_search (rowid, log) SELECT last_insert_rowid(), (SELECT group_concat(json_extract(value, '$.message'), char(10)) FROM json_each(NEW.document, '$.log') WHERE key >= 0) WHERE changes() > 0;
   END`;

export const IMMEDIATE_DELETE_TRIGGER = `CREATE TRIGGER sessions_search_delete AFTER DELETE ON sessions BEGIN
     DELETE FROM session_log_search WHERE rowid IN (SELECT chunk FROM session_log_chunks WHERE session_key = (SELECT key FROM session_search_keys WHERE account_id = OLD.account_id AND session_id = OLD.id));
     DELETE FROM session_log_chunks WHERE session_key = (SELECT key FROM session_search_keys WHERE account_id = OLD.account_id AND session_id = OLD.id);
     DELETE FROM session_address_search WHERE rowid = (SELECT key FROM session_search_keys WHERE account_id = OLD.account_id AND session_id = OLD.id);
     DELETE FROM session_search_keys WHERE account_id = OLD.account_id AND session_id = OLD.id;
   END`;

export const IMMEDIATE_TRIGGERS: readonly string[] = Object.freeze([
  IMMEDIATE_INSERT_TRIGGER,
  REINDEX_ADDRESSES_TRIGGER,
  INDEX_APPENDED_LINES_TRIGGER,
  REINDEX_REWRITTEN_LOG_TRIGGER,
  IMMEDIATE_DELETE_TRIGGER,
]);

export const logChunks: SchemaStep = Object.freeze({
  up: Object.freeze([
    `DROP TRIGGER sessions_search_insert`,
    `DROP TRIGGER sessions_search_update`,
    `DROP TRIGGER sessions_search_delete`,
    `DROP TABLE session_search`,
    ...CHUNK_TABLES,
    ...INDEX_EVERY_SESSION,
    ...IMMEDIATE_TRIGGERS,
  ]),
  down: Object.freeze([
    `DROP TRIGGER sessions_search_insert`,
    `DROP TRIGGER sessions_search_addresses`,
    `DROP TRIGGER sessions_search_log_appended`,
    `DROP TRIGGER sessions_search_log_rewritten`,
    `DROP TRIGGER sessions_search_delete`,
    `DROP TABLE session_log_search`,
    `DROP TABLE session_log_chunks`,
    `DROP TABLE session_log_partitions`,
    `DROP TABLE session_address_search`,
    ...WHOLE_LOG_INDEX,
  ]),
});
