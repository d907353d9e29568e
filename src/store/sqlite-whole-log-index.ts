import { sql, type Kysely } from 'kysely';

// Migration 003's SQLite search index, kept word for word so that migration still builds what it
// built (a fresh database then runs 004, which replaces it): one FTS5 trigram row per session with
// its whole log, re-indexed whole by a trigger whenever the log changed.

const SQLITE_LOG_TEXT = (row: string) =>
  `(SELECT group_concat(json_extract(value, '$.message'), char(10)) FROM json_each(${row}.document, '$.log'))`;

const sqliteIndexUnindexed = (afterKey: number) => [
  `INSERT INTO session_search_keys (account_id, session_id)
     SELECT account_id, id FROM sessions s
     WHERE NOT EXISTS (SELECT 1 FROM session_search_keys k WHERE k.account_id = s.account_id AND k.session_id = s.id)`,
  `INSERT INTO session_search (rowid, log, from_address, to_address)
     SELECT k.key, ${SQLITE_LOG_TEXT('s')}, s.from_address, s.to_address
     FROM session_search_keys k JOIN sessions s ON s.account_id = k.account_id AND s.id = k.session_id
     WHERE k.key > ${Math.trunc(afterKey)}`,
];

const SQLITE_INSERT_TRIGGER = `CREATE TRIGGER sessions_search_insert AFTER INSERT ON sessions BEGIN
  INSERT INTO session_search_keys (account_id, session_id) VALUES (NEW.account_id, NEW.id);
  INSERT INTO session_search (rowid, log, from_address, to_address)
    VALUES (last_insert_rowid(), ${SQLITE_LOG_TEXT('NEW')}, NEW.from_address, NEW.to_address);
END`;

export const wholeLogIndex: { install(db: Kysely<unknown>): Promise<void>; readonly restore: readonly string[]; readonly uninstall: readonly string[] } = Object.freeze({
  async install(db: Kysely<unknown>) {
    const statements = [
      `CREATE TABLE session_search_keys (key INTEGER PRIMARY KEY, account_id TEXT NOT NULL, session_id TEXT NOT NULL, UNIQUE (account_id, session_id))`,
      ...wholeLogIndex.restore,
    ];
    for (const statement of statements) await sql.raw(statement).execute(db);
  },
  /** Everything but `session_search_keys`: what 004's `down` builds again. */
  restore: [
      `CREATE VIRTUAL TABLE session_search USING fts5(log, from_address, to_address, tokenize = 'trigram', content = '', contentless_delete = 1)`,
      ...sqliteIndexUnindexed(0),
      SQLITE_INSERT_TRIGGER,
      // Most writes of a live session (state changes) leave its text alone: re-index only when it moved.
      `CREATE TRIGGER sessions_search_update AFTER UPDATE OF document, from_address, to_address ON sessions
       WHEN OLD.from_address IS NOT NEW.from_address OR OLD.to_address IS NOT NEW.to_address
         OR json_extract(OLD.document, '$.log') IS NOT json_extract(NEW.document, '$.log')
       BEGIN
         DELETE FROM session_search WHERE rowid = (SELECT key FROM session_search_keys WHERE account_id = OLD.account_id AND session_id = OLD.id);
         INSERT INTO session_search (rowid, log, from_address, to_address)
           SELECT key, ${SQLITE_LOG_TEXT('NEW')}, NEW.from_address, NEW.to_address
           FROM session_search_keys WHERE account_id = OLD.account_id AND session_id = OLD.id;
       END`,
      `CREATE TRIGGER sessions_search_delete AFTER DELETE ON sessions BEGIN
         DELETE FROM session_search WHERE rowid = (SELECT key FROM session_search_keys WHERE account_id = OLD.account_id AND session_id = OLD.id);
         DELETE FROM session_search_keys WHERE account_id = OLD.account_id AND session_id = OLD.id;
       END`,
  ],
  /** What 004 drops of it: everything but `session_search_keys`, whose keys stay valid. */
  uninstall: [
    'DROP TRIGGER sessions_search_insert',
    'DROP TRIGGER sessions_search_update',
    'DROP TRIGGER sessions_search_delete',
    'DROP TABLE session_search',
  ],
});
