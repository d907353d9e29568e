import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Kysely, Migrator } from 'kysely';
import { sqliteCapabilities, type StoreCapabilities } from './capabilities.js';
import { ImmediateSqliteDialect } from './sqlite-immediate-dialect.js';
import { startSearchIndexer, type SearchIndexer } from '../search/search-indexer.js';
import { startCheckpointer, WRITER_CHECKPOINT_BACKSTOP_PAGES } from './sqlite-checkpointer.js';
import { withStatementCache } from './statement-cache.js';
import { renameRecordedMigrations } from './migration-renames.js';
import { migrations, StaticMigrationProvider } from './migrations.js';
import { noChangeSignals, type ChangeSignals } from './change-signals.js';
import { inProcessKeyedLock, type KeyedLock } from './keyed-lock.js';
import type { Database } from './schema.js';

export interface Store {
  readonly db: Kysely<Database>;
  readonly capabilities: StoreCapabilities;
  /** Wake-ups between instances when the stream's change log moves (LISTEN/NOTIFY on PostgreSQL). */
  readonly changeSignals: ChangeSignals;
  /** One task at a time per key across the instances sharing this store (call control per session, messaging per conversation). */
  readonly keyedLock: KeyedLock;
  /**
   * The SQLite file, for connections of their own beside the store's (read workers); absent for
   * `:memory:` and PostgreSQL.
   */
  readonly file?: string;
  /** Brings the schema up to date; safe to call on every start and from many instances. */
  migrate(): Promise<void>;
  close(): Promise<void>;
}

export class StoreError extends Error {}

/**
 * The database URL as it may be printed or logged: a PostgreSQL password replaced by `***`.
 *
 * @example
 * printableDatabaseUrl('postgres://sb:secret@db/switchboard') // 'postgres://sb:***@db/switchboard'
 */
export function printableDatabaseUrl(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^:/@]*):[^@]*@/, '$1:***@');
}

/**
 * Opens the store a `DATABASE_URL` names: a SQLite file path (or `:memory:`) or `postgres://…`.
 *
 * @example
 * const store = await openStore(':memory:'); await store.migrate();
 */
export async function openStore(url: string, options: StoreOptions = {}): Promise<Store> {
  if (/^postgres(ql)?:\/\//.test(url)) {
    const { openPostgres } = await import('./postgres-store.js');
    return openPostgres(url);
  }
  return openSqlite(url, options);
}

export interface StoreOptions {
  /**
   * Whether `migrate` starts the background search indexer where the store defers indexing
   * (default true). Off, notes wait for `textSearch.indexPending`: tests pin the index's lag with it.
   */
  readonly indexInBackground?: boolean;
}

async function openSqlite(path: string, options: StoreOptions): Promise<Store> {
  const { default: SQLite } = await import('better-sqlite3');
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const database = new SQLite(path);
  // WAL lets readers run beside the writer; NORMAL syncs at checkpoints, which survives a killed
  // process (the crash that matters for acknowledged events) at a fraction of FULL's fsyncs.
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: withStatementCache(database) }) });
  if (path === ':memory:') return storeOf(db, sqliteCapabilities, options);
  // Checkpoints run on a worker thread (sqlite-checkpointer.ts); the writer's own is a backstop.
  database.pragma(`wal_autocheckpoint = ${WRITER_CHECKPOINT_BACKSTOP_PAGES}`);
  const checkpointer = startCheckpointer(path, undefined, (message) => process.emitWarning(`SQLite checkpoint failed: ${message}`));
  // Stopped first, so the writer's connection is the last one and its close checkpoints the WAL away.
  return { ...storeOf(db, sqliteCapabilities, options, () => checkpointer.stop()), file: path };
}

/** Noted sessions the background indexer indexes per transaction, and its pause once caught up. */
const SEARCH_INDEX_BATCH = 256;
const SEARCH_INDEX_INTERVAL_MS = 25;

/** @param beforeClose runs before the connections close (a store's background work). */
export function storeOf(
  db: Kysely<Database>,
  capabilities: StoreCapabilities,
  options: StoreOptions = {},
  beforeClose: () => Promise<void> = async () => {},
  changeSignals: ChangeSignals = noChangeSignals,
  keyedLock: KeyedLock = inProcessKeyedLock(),
): Store {
  let closing: Promise<void> | undefined;
  let indexer: SearchIndexer | undefined;
  const { textSearch } = capabilities;
  return {
    db,
    capabilities,
    changeSignals,
    keyedLock,
    async migrate() {
      // A database migrated before the renumbering of 2026-12-03 knows its migrations by their former names.
      await renameRecordedMigrations(db);
      const migrator = new Migrator({ db, provider: new StaticMigrationProvider(migrations(capabilities)) });
      const { error, results } = await migrator.migrateToLatest();
      const failed = results?.find((r) => r.status === 'Error');
      if (error) throw new StoreError(`Migration ${failed?.migrationName ?? ''} failed: ${String(error)}`);
      // Once the schema has its notes table: a store that defers indexing catches up in the background.
      if (textSearch.indexPending && options.indexInBackground !== false && !indexer && !closing) {
        indexer = startSearchIndexer({
          indexPending: (limit) => textSearch.indexPending!(db, limit),
          batch: SEARCH_INDEX_BATCH,
          intervalMs: SEARCH_INDEX_INTERVAL_MS,
          onError: (error) => process.emitWarning(`Search indexing failed: ${String(error)}`),
        });
      }
    },
    // Idempotent: a server and its owner may both close the store they share. The indexer stops
    // first, having indexed what is still noted.
    close: () => (closing ??= Promise.resolve(indexer?.stop()).then(beforeClose).then(() => keyedLock.close()).then(() => db.destroy())),
  };
}
