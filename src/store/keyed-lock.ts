import type pg from 'pg';

/**
 * Runs tasks one at a time per key, across every instance that shares the store (style habit 4: a
 * named capability, chosen once). Call control takes it per session, so a hold racing a hang-up
 * is decided in one order whichever instances they reach (call-control §5: Flex's hold/hang-up
 * races left callers stranded on hold); messaging takes it per conversation, so two texts from a
 * new party open one chat. Keys of different concepts carry a prefix of their own (`session:`, `chat:`).
 */
export interface KeyedLock {
  run<T>(key: string, task: () => Promise<T>): Promise<T>;
  /** Waits for the tasks holding a lock and lets go of the lock's connections (the store is closing). */
  close(): Promise<void>;
}

/**
 * One process's turns per key, in arrival order; different keys run concurrently. On its own it is
 * the lock of a store only one process writes (SQLite); in front of PostgreSQL's it keeps one
 * process's waiters for a key off the database (one connection waits per key, not one per waiter).
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Resolves when every task queued so far has finished. */
  async idle(): Promise<void> {
    while (this.tails.size) await Promise.allSettled([...this.tails.values()]);
  }
}

/** SQLite: one process serves a store file, so the process's own turns are the lock. */
export function inProcessKeyedLock(): KeyedLock {
  const mutex = new KeyedMutex();
  return { run: (key, task) => mutex.run(key, task), close: () => mutex.idle() };
}

/**
 * Connections that only hold locks: a few, apart from the store's pool, because a task holding a
 * lock writes through that pool (events, the session row); with both on one pool, ten held locks
 * would wait forever for an eleventh connection. Idle ones close after 10 s.
 */
export const LOCK_CONNECTIONS = 8;

/**
 * PostgreSQL: a transaction-scoped advisory lock on the key's 64-bit hash (`pg_advisory_xact_lock`
 * on `hashtextextended`, PG ≥ 11), taken in a transaction on a connection of `pool` that stays open
 * for the whole task (its Twilio request included) and ends with it. Transaction-scoped, like every
 * other lock Switchboard takes, so PgBouncer in transaction mode keeps the lock and its release on
 * one server connection (docs/scaling.md); a crashed instance's locks go with its connections.
 */
export function postgresKeyedLock(pool: pg.Pool): KeyedLock {
  const local = new KeyedMutex();
  return {
    run<T>(key: string, task: () => Promise<T>): Promise<T> {
      return local.run(key, async () => {
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`switchboard-key:${key}`]);
        } catch (error) {
          client.release(error as Error);
          throw error;
        }
        try {
          return await task();
        } finally {
          // The lock goes with the transaction; a connection that cannot end it is discarded, which ends it too.
          await client.query('COMMIT').then(
            () => client.release(),
            (error: unknown) => client.release(error as Error),
          );
        }
      });
    },
    async close() {
      await local.idle();
      await pool.end();
    },
  };
}
