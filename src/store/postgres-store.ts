import { Kysely, PostgresDialect } from 'kysely';
import { postgresCapabilities } from './capabilities.js';
import { postgresChangeSignals } from './change-signals.js';
import { LOCK_CONNECTIONS, postgresKeyedLock } from './keyed-lock.js';
import { storeOf, type Store } from './open-store.js';
import type { Database } from './schema.js';

// int8 (bigserial keys, count(*)) arrives as text by default so no digit is lost; ours stay far
// below 2^53, and the rest of the code, like SQLite's, reads them as numbers.
const INT8_OID = 20;

export async function openPostgres(url: string): Promise<Store> {
  const { default: pg } = await import('pg');
  const types = {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
      oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
  };
  // capabilities.ts `readsAtOnce` leaves 4 of these 10 to the writes whatever the reads do.
  const pool = new pg.Pool({ connectionString: url, max: 10, types });
  // An idle connection the server ends (restart, failover, pg_terminate_backend) is an 'error'
  // event on the pool; unheard, it would crash the process. The pool drops that connection and
  // opens a new one when next needed; a query in flight gets its own error.
  pool.on('error', () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const signals = postgresChangeSignals(pool, () => new pg.Client({ connectionString: url, types }));
  const locks = new pg.Pool({ connectionString: url, max: LOCK_CONNECTIONS, idleTimeoutMillis: 10_000 });
  locks.on('error', () => {});
  return storeOf(db, postgresCapabilities, {}, undefined, signals, postgresKeyedLock(locks));
}
