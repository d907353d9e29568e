import { Kysely, PostgresDialect } from 'kysely';
import { postgresCapabilities } from './capabilities.js';
import { storeOf, type Store } from './open-store.js';
import type { Database } from './schema.js';

export async function openPostgres(url: string): Promise<Store> {
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return storeOf(db, postgresCapabilities);
}
