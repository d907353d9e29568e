import type { SqliteDatabase, SqliteStatement } from 'kysely';

/** The part of better-sqlite3's Database this wrapper needs (style habit 5). */
interface PreparingDatabase {
  close(): void;
  prepare(sql: string): SqliteStatement & { readonly busy?: boolean };
}

/**
 * Kysely's SQLite driver prepares every query anew; preparing costs more than running a point
 * lookup, and about half of an event's ingest time (bench/ingest). Statements are kept by SQL text, bounded, and a
 * statement still iterating is never handed out twice.
 */
export function withStatementCache(database: PreparingDatabase, capacity = 256): SqliteDatabase {
  const cache = new Map<string, SqliteStatement & { readonly busy?: boolean }>();
  return {
    close: () => database.close(),
    prepare(sql: string) {
      const cached = cache.get(sql);
      if (cached && !cached.busy) return cached;
      const statement = database.prepare(sql);
      if (!cached) {
        if (cache.size >= capacity) cache.delete(cache.keys().next().value as string);
        cache.set(sql, statement);
      }
      return statement;
    },
  };
}
