import { Kysely, SqliteDialect } from 'kysely';
import type { Database } from './schema.js';
import { withStatementCache } from './statement-cache.js';

/**
 * A read-only connection to a SQLite file another connection writes (WAL: readers never wait for
 * the writer, nor it for them), for reads off the writer's connection and thread. Each query is its
 * own read transaction, so it sees every commit acknowledged before it began.
 *
 * @example
 * const db = await openSqliteReader('./data/switchboard.db'); … await db.destroy();
 */
export async function openSqliteReader(path: string): Promise<Kysely<Database>> {
  const { default: SQLite } = await import('better-sqlite3');
  const database = new SQLite(path, { readonly: true, fileMustExist: true });
  database.pragma('busy_timeout = 5000');
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
}
