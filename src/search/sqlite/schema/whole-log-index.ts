// FROZEN: the exact text migration 004-session-lists (numbered 003-session-lists until 2026-12-03) ran, as it ran it on 2026-12-03. Never edit a statement
// here: databases already hold what it built (test/store/frozen-schema.test.ts compares the schema
// after every step with the dump in test/fixtures/schema/). A change to the search engine's schema
// is a new migration with a new file beside this one.
import type { SchemaStep } from '../../search-schema.js';

// The first index: one FTS5 trigram row per session with its whole log and addresses, keyed by
// `session_search_keys` (FTS rowids never come from `sessions.rowid`, which VACUUM may renumber on
// a table without an INTEGER PRIMARY KEY), re-indexed whole by a trigger whenever the text moved.
// 005-search-log-chunks replaces all of it but the keys.

export const SEARCH_KEYS_TABLE = `CREATE TABLE session_search_keys (key INTEGER PRIMARY KEY, account_id TEXT NOT NULL, session_id TEXT NOT NULL, UNIQUE (account_id, session_id))`;

/** Everything but the keys: what 005-search-log-chunks drops, and its `down` builds again. */
export const WHOLE_LOG_INDEX: readonly string[] = Object.freeze([
    `CREATE VIRTUAL TABLE session_search USING fts5(log, from_address, to_address, tokenize = 'trigram', content = '', contentless_delete = 1)`,
    `INSERT INTO session_search_keys (account_id, session_id)
     SELECT account_id, id FROM sessions s
     WHERE NOT EXISTS (SELECT 1 FROM session_search_keys k WHERE k.account_id = s.account_id AND k.session_id = s.id)`,
    `INSERT INTO session_search (rowid, log, from_address, to_address)
     SELECT k.key, (SELECT group_concat(json_extract(value, '$.message'), char(10)) FROM json_each(s.document, '$.log')), s.from_address, s.to_address
     FROM session_search_keys k JOIN sessions s ON s.account_id = k.account_id AND s.id = k.session_id
     WHERE k.key > 0`,
    `CREATE TRIGGER sessions_search_insert AFTER INSERT ON sessions BEGIN
  INSERT INTO session_search_keys (account_id, session_id) VALUES (NEW.account_id, NEW.id);
  INSERT INTO session_search (rowid, log, from_address, to_address)
    VALUES (last_insert_rowid(), (SELECT group_concat(json_extract(value, '$.message'), char(10)) FROM json_each(NEW.document, '$.log')), NEW.from_address, NEW.to_address);
END`,
    `CREATE TRIGGER sessions_search_update AFTER UPDATE OF document, from_address, to_address ON sessions
       WHEN OLD.from_address IS NOT NEW.from_address OR OLD.to_address IS NOT NEW.to_address
         OR json_extract(OLD.document, '$.log') IS NOT json_extract(NEW.document, '$.log')
       BEGIN
         DELETE FROM session_search WHERE rowid = (SELECT key FROM session_search_keys WHERE account_id = OLD.account_id AND session_id = OLD.id);
         INSERT INTO session_search (rowid, log, from_address, to_address)
           SELECT key, (SELECT group_concat(json_extract(value, '$.message'), char(10)) FROM json_each(NEW.document, '$.log')), NEW.from_address, NEW.to_address
           FROM session_search_keys WHERE account_id = OLD.account_id AND session_id = OLD.id;
       END`,
    `CREATE TRIGGER sessions_search_delete AFTER DELETE ON sessions BEGIN
         DELETE FROM session_search WHERE rowid = (SELECT key FROM session_search_keys WHERE account_id = OLD.account_id AND session_id = OLD.id);
         DELETE FROM session_search_keys WHERE account_id = OLD.account_id AND session_id = OLD.id;
       END`,
  ]);

export const wholeLogIndex: SchemaStep = Object.freeze({
  up: Object.freeze([SEARCH_KEYS_TABLE, ...WHOLE_LOG_INDEX]),
  // 004's down leaves the search index in place (as it always has); 001's down drops `sessions`.
  down: Object.freeze([]),
});
