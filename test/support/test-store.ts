import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Migrator, sql } from 'kysely';
import pg from 'pg';
import { inject, onTestFinished } from 'vitest';
import { renameRecordedMigrations } from '../../src/store/migration-renames.js';
import { migrations, StaticMigrationProvider } from '../../src/store/migrations.js';
import { openStore, type Store } from '../../src/store/open-store.js';
import type { Dialect } from './dialects.js';

/** The store this test file runs against: its vitest project (`sqlite` or `postgres`) decides. */
export const dialect: Dialect = process.env.TEST_DIALECT === 'postgres' ? 'postgres' : 'sqlite';

/**
 * A database of its own for the running test, migrated and empty: a PostgreSQL database copied
 * from the migrated template, or a SQLite file in a temp dir. For tests that hand a URL to something
 * else (a child process, the CLI); others use `openTestStore()`.
 */
export async function freshDatabaseUrl(): Promise<string> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-test-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    return join(dir, 'switchboard.db');
  }
  const database = await leaseDatabase();
  onTestFinished(() => giveBack(database));
  return inject('postgresServerUrl') + database.name;
}

/**
 * A fresh, migrated store for the running test on this file's dialect, closed when the test ends.
 *
 * @example
 * const store = await openTestStore(); const sessions = new SessionsRepository(store.db);
 */
export async function openTestStore(): Promise<Store> {
  const store = await openStore(dialect === 'sqlite' ? ':memory:' : await freshDatabaseUrl());
  // Finish hooks run last-registered first: the store closes before its database goes back.
  onTestFinished(() => store.close());
  // A leased PostgreSQL database is a copy of the migrated template: migrating again would only
  // confirm it (~40 ms a test).
  if (dialect === 'sqlite') await store.migrate();
  return store;
}

/**
 * A fresh, migrated store for a whole file (`beforeAll`, where `onTestFinished` does not exist):
 * return its `close` from the hook.
 *
 * @example
 * beforeAll(async () => { const opened = await openFileStore(); store = opened.store; return opened.close; });
 */
export async function openFileStore(): Promise<{ store: Store; close: () => Promise<void> }> {
  if (dialect === 'sqlite') {
    const store = await openStore(':memory:');
    await store.migrate();
    return { store, close: () => store.close() };
  }
  const database = await leaseDatabase();
  const store = await openStore(inject('postgresServerUrl') + database.name);
  return { store, close: () => store.close().then(() => giveBack(database)) };
}

/**
 * Deletes every row, keeping the schema: a fresh store again within one test (property runs).
 * Sessions go first, so the triggers that keep search indexes clear them too; SQLite's FTS shadow
 * tables are the index's own and are left to those triggers.
 */
export async function emptyStore(store: Store): Promise<void> {
  const names =
    store.capabilities.kind === 'sqlite'
      ? (await sql<{ name: string }>`SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table'`.execute(store.db)).rows.map((r) => r.name)
      : (await store.db.introspection.getTables()).map((t) => t.name);
  const tables = names.filter((name) => !name.startsWith('kysely_') && !name.startsWith('sqlite_')).sort((a, b) => Number(b === 'sessions') - Number(a === 'sessions'));
  await store.db.transaction().execute(async (trx) => {
    for (const table of tables) await sql`DELETE FROM ${sql.table(table)}`.execute(trx);
  });
}

interface Leased {
  readonly name: string;
  /** Kept open to empty the database between tests. */
  readonly client: pg.Client;
}

// CREATE DATABASE … TEMPLATE costs ~250 ms; emptying a used one with TRUNCATE ~20 ms. Each worker
// keeps the databases its tests gave back, emptied, and hands them to the next test.
const idle: Leased[] = [];
let created = 0;
let admin: pg.Pool | undefined;

async function leaseDatabase(): Promise<Leased> {
  const reused = idle.pop();
  if (reused) return reused;
  const serverUrl = inject('postgresServerUrl');
  admin ??= new pg.Pool({ connectionString: serverUrl + 'postgres', max: 2, allowExitOnIdle: true });
  const name = `test_${process.pid}_${++created}`;
  await admin.query(`CREATE DATABASE ${name} TEMPLATE ${inject('postgresTemplate')}`);
  const client = new pg.Client({ connectionString: serverUrl + name });
  await client.connect();
  return { name, client };
}

/** Empties the database for the next test, or drops it when something still holds it open. */
async function giveBack(database: Leased): Promise<void> {
  // A closed pool's backends, or a killed child's, leave pg_stat_activity a moment after the socket closes.
  let others = 0;
  for (let wait = 0; wait < 20; wait++) {
    const { rows } = await database.client.query('SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
    others = rows.length;
    if (others === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  if (others === 0) {
    // DELETE, not TRUNCATE: for a test's few rows it is ~10× faster (TRUNCATE makes new files for
    // every table and index). Replica mode skips triggers and foreign keys, so order does not matter.
    await database.client.query(`SET session_replication_role = replica; ${await emptyingSql(database)} SET session_replication_role = DEFAULT;`);
    idle.push(database);
    return;
  }
  await database.client.end();
  await admin!.query(`DROP DATABASE IF EXISTS ${database.name} WITH (FORCE)`);
}

let emptying: string | undefined;

/** One DELETE per table and a restart of every sequence; the schema is the template's, so once per worker. */
async function emptyingSql(database: Leased): Promise<string> {
  if (emptying) return emptying;
  const { rows: tables } = await database.client.query<{ name: string }>(
    "SELECT quote_ident(tablename) AS name FROM pg_tables WHERE schemaname = 'public' AND tablename NOT LIKE 'kysely\\_%'",
  );
  const { rows: sequences } = await database.client.query<{ name: string }>(
    "SELECT quote_literal(quote_ident(sequencename)) AS name FROM pg_sequences WHERE schemaname = 'public'",
  );
  emptying =
    tables.map((t) => `DELETE FROM ${t.name};`).join(' ') +
    (sequences.length ? ` SELECT ${sequences.map((q) => `setval(${q.name}, 1, false)`).join(', ')};` : '');
  return emptying;
}

/**
 * The store's schema moved up or down to migration `name`, as an older or newer Switchboard left
 * it. Kysely's `migrateTo` reports a failed migration in its result; this throws it.
 */
export async function migrateTo(store: Store, name: string): Promise<void> {
  await renameRecordedMigrations(store.db);
  const { error } = await new Migrator({ db: store.db, provider: new StaticMigrationProvider(migrations(store.capabilities)) }).migrateTo(name);
  if (error) throw error;
}
