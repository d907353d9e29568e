import { CompiledQuery, type Kysely } from 'kysely';
import type { Database } from '../../store/schema.js';
import { NOTE_INSERT_TRIGGER } from './schema/deferred-indexing.js';

// The search index's write side beyond its triggers (schema/ holds those): the indexer's batch,
// and a bulk load's indexing. Writes only note their session (`session_search_pending`); the
// background indexer (../search-indexer.ts, started by `migrate`) calls `indexPending`.

/**
 * Consumes up to `?` notes, oldest first, in one statement, so one transaction: the notes' DELETE
 * trigger (schema/read-text-once.ts) indexes each, and FTS5 writes one segment per table per batch.
 */
const INDEX_PENDING = `DELETE FROM session_search_pending WHERE session_key IN (SELECT session_key FROM session_search_pending ORDER BY session_key LIMIT ?)`;
const ANY_PENDING = `SELECT 1 FROM session_search_pending LIMIT 1`;

/** Indexes up to `limit` noted sessions in one transaction; says how many. */
export async function indexPending(db: Kysely<Database>, limit: number): Promise<number> {
  // Looked at first: a DELETE takes the write lock even when it finds nothing.
  const { rows } = await db.executeQuery(CompiledQuery.raw(ANY_PENDING));
  if (!rows.length) return 0;
  const { numAffectedRows } = await db.executeQuery(CompiledQuery.raw(INDEX_PENDING, [limit]));
  return Number(numAffectedRows ?? 0);
}

const LAST_KEY = `SELECT max(key) AS last FROM session_search_keys`;
const DROP_INSERT_TRIGGER = `DROP TRIGGER sessions_search_insert`;

/**
 * The sessions a bulk load wrote, indexed set-wise: their keys, then (for keys after `?`, the last
 * key before the load) their addresses, partitions, one chunk of each whole log numbered on within
 * its partition, and the chunks' text. Each statement's one parameter is that key.
 */
const INDEX_LOADED = [
  `INSERT INTO session_search_keys (account_id, session_id)
     SELECT account_id, id FROM sessions s
     WHERE NOT EXISTS (SELECT 1 FROM session_search_keys k WHERE k.account_id = s.account_id AND k.session_id = s.id)`,
  `INSERT INTO session_address_search (rowid, from_address, to_address)
     SELECT k.key, s.from_address, s.to_address
     FROM session_search_keys k JOIN sessions s ON s.account_id = k.account_id AND s.id = k.session_id
     WHERE k.key > ?`,
  `INSERT OR IGNORE INTO session_log_partitions (account_id, archived)
     SELECT DISTINCT s.account_id, s.archived
     FROM session_search_keys k JOIN sessions s ON s.account_id = k.account_id AND s.id = k.session_id
     WHERE k.key > ?`,
  `INSERT INTO session_log_chunks (chunk, session_key)
     SELECT coalesce((SELECT max(c.chunk) FROM session_log_chunks c WHERE c.chunk BETWEEN (p.id << 40) AND ((p.id << 40) + 1099511627775)), (p.id << 40))
              + row_number() OVER (PARTITION BY p.id ORDER BY k.key), k.key
     FROM session_search_keys k
     JOIN sessions s ON s.account_id = k.account_id AND s.id = k.session_id
     JOIN session_log_partitions p ON p.account_id = s.account_id AND p.archived = s.archived
     WHERE k.key > ? AND json_array_length(s.document, '$.log') > 0`,
  `INSERT INTO session_log_search (rowid, log)
     SELECT c.chunk, (SELECT group_concat(json_extract(value, '$.message'), char(10)) FROM json_each(s.document, '$.log') WHERE key >= 0)
     FROM session_log_chunks c
     JOIN session_search_keys k ON k.key = c.session_key
     JOIN sessions s ON s.account_id = k.account_id AND s.id = k.session_id
     WHERE c.session_key > ?`,
];

/**
 * Runs a bulk insert of sessions with the insert trigger dropped, then indexes what it wrote in
 * one statement per table and makes the trigger again, word for word (its text is schema/'s, so
 * the schema stays what the migrations built). ~3x faster than row by row in the trigger
 * (measured: 5,000 generated sessions, 0.65 s against 2.0 s).
 */
export async function bulkLoad<T>(db: Kysely<Database>, load: () => Promise<T>): Promise<T> {
  const { rows } = await db.executeQuery<{ last: number | null }>(CompiledQuery.raw(LAST_KEY));
  const afterKey = rows[0]?.last ?? 0;
  await db.executeQuery(CompiledQuery.raw(DROP_INSERT_TRIGGER));
  try {
    return await load();
  } finally {
    for (const statement of INDEX_LOADED) await db.executeQuery(CompiledQuery.raw(statement, statement.includes('?') ? [afterKey] : []));
    await db.executeQuery(CompiledQuery.raw(NOTE_INSERT_TRIGGER));
  }
}
