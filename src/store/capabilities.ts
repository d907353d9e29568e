import { sql, type CreateTableBuilder, type Kysely } from 'kysely';
import type { Database } from './schema.js';
import { postgresJobLock, sqliteJobLock, type JobLock } from './job-lock.js';
import { postgresTextSearch } from '../search/postgres/postgres-text-search.js';
import { postgresSearchSchema } from '../search/postgres/trigram-indexes.js';
import type { SearchSchema } from '../search/search-schema.js';
import { sqliteSearchSchema } from '../search/sqlite/sqlite-search-schema.js';
import { sqliteTextSearch } from '../search/sqlite/sqlite-text-search.js';
import type { TextSearch } from '../search/text-search.js';
import { postgresWriteConcurrency, sqliteWriteConcurrency, type WriteConcurrency } from './write-concurrency.js';

/**
 * What differs between the stores, named once and chosen at construction (style habit 4): code
 * above the store asks for a capability, never for a dialect. The two that hold connections of
 * their own are made per store, beside these (open-store.ts `Store`): `changeSignals` (LISTEN/NOTIFY)
 * and `keyedLock` (per-key exclusive turns across instances: PostgreSQL advisory locks, SQLite's
 * one process's own turns; keyed-lock.ts).
 */
export interface StoreCapabilities {
  readonly kind: 'sqlite' | 'postgres';
  /** Adds an auto-incrementing integer primary key column. */
  withSerialKey<T extends string>(table: CreateTableBuilder<T, never>, column: string): CreateTableBuilder<T, string>;
  /** Substring search over session logs and addresses (FTS5 trigram / pg_trgm), as its callers use it. */
  readonly textSearch: TextSearch;
  /**
   * The search engine's tables and triggers as each migration built them, frozen text
   * (src/search/sqlite/schema/, src/search/postgres/trigram-indexes.ts): the migrations run it.
   */
  readonly searchSchema: SearchSchema;
  /** One instance at a time per background job batch (write transaction / advisory lock). */
  readonly jobLock: JobLock;
  /**
   * Refreshes the planner's statistics. List plans depend on them: without, SQLite guesses that an
   * account holds ten sessions and sorts a whole account instead of using a covering index.
   */
  refreshStatistics(db: Kysely<Database>): Promise<void>;
  /** Whether writers are serialized by the store, and which failures a retry cures (row locks, deadlocks). */
  readonly writes: WriteConcurrency;
  /**
   * Long reads (lists, searches) worth running at once on one of the store's connections: more
   * only queue inside it, where the writes would wait behind them (read-admission.ts).
   */
  readonly readsAtOnce: number;
}

export const sqliteCapabilities: StoreCapabilities = Object.freeze({
  kind: 'sqlite' as const,
  withSerialKey<T extends string>(table: CreateTableBuilder<T, never>, column: string) {
    return table.addColumn(column, 'integer', (c) => c.primaryKey().autoIncrement());
  },
  textSearch: sqliteTextSearch,
  searchSchema: sqliteSearchSchema,
  jobLock: sqliteJobLock,
  writes: sqliteWriteConcurrency,
  // One connection runs one statement at a time.
  readsAtOnce: 1,
  async refreshStatistics(db: Kysely<Database>) {
    // Sampled ANALYZE of every table that needs it (sqlite.org/lang_analyze.html#approx): milliseconds at 1M rows.
    await sql`PRAGMA analysis_limit = 1000`.execute(db);
    await sql`PRAGMA optimize = 0x10002`.execute(db);
  },
});

export const postgresCapabilities: StoreCapabilities = Object.freeze({
  kind: 'postgres' as const,
  withSerialKey<T extends string>(table: CreateTableBuilder<T, never>, column: string) {
    return table.addColumn(column, 'bigserial', (c) => c.primaryKey());
  },
  textSearch: postgresTextSearch,
  searchSchema: postgresSearchSchema,
  jobLock: postgresJobLock,
  writes: postgresWriteConcurrency,
  // Of the pool's 10 connections (postgres-store.ts), 4 stay for the writes' group commits and sign-ins.
  readsAtOnce: 6,
  async refreshStatistics(db: Kysely<Database>) {
    await sql`ANALYZE sessions`.execute(db);
  },
});
