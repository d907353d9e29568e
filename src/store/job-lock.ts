import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from './schema.js';

/**
 * Runs one batch of a background job in a transaction that at most one instance holds at a time.
 * Returns `busy` when another instance holds the job, so it skips this round instead of waiting.
 */
export interface JobLock {
  runExclusive<T>(db: Kysely<Database>, job: string, batch: (trx: Transaction<Database>) => Promise<T>): Promise<T | 'busy'>;
}

/** SQLite has one writer per file: the write transaction is the lock. */
export const sqliteJobLock: JobLock = Object.freeze({
  runExclusive<T>(db: Kysely<Database>, _job: string, batch: (trx: Transaction<Database>) => Promise<T>) {
    return db.transaction().execute(batch);
  },
});

/** PostgreSQL: a transaction-scoped advisory lock per job name, released at commit or rollback. */
export const postgresJobLock: JobLock = Object.freeze({
  runExclusive<T>(db: Kysely<Database>, job: string, batch: (trx: Transaction<Database>) => Promise<T>) {
    return db.transaction().execute(async (trx) => {
      const { rows } = await sql<{ locked: boolean }>`SELECT pg_try_advisory_xact_lock(hashtext(${'switchboard-job:' + job})) AS locked`.execute(trx);
      return rows[0]?.locked ? batch(trx) : ('busy' as const);
    });
  },
});
