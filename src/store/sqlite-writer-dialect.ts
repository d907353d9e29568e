import { CompiledQuery, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver, type QueryResult, type SqliteDatabase, type SqliteStatement } from 'kysely';
import type { WriterLock } from './writer-lock.js';

/** A SQLite database whose statements say whether they write (better-sqlite3's do). */
export interface WriteAwareDatabase extends SqliteDatabase {
  prepare(sql: string): SqliteStatement & { readonly readonly: boolean };
}

/** The dialect's one connection, taking `lock` around each write made outside a transaction. */
class LockingConnection implements DatabaseConnection {
  /** Set while a transaction holds the lock: its statements run as they come. */
  inTransaction = false;

  constructor(
    private readonly inner: DatabaseConnection,
    private readonly database: WriteAwareDatabase,
    private readonly lock: WriterLock,
  ) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    if (this.inTransaction || this.database.prepare(query.sql).readonly) return this.inner.executeQuery<R>(query);
    await this.lock.acquire();
    try {
      return await this.inner.executeQuery<R>(query);
    } finally {
      this.lock.release();
    }
  }

  streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(query, chunkSize);
  }
}

class WriterDriver extends SqliteDriver {
  private locking: LockingConnection | undefined;

  constructor(
    private readonly database: WriteAwareDatabase,
    private readonly lock: WriterLock | undefined,
  ) {
    super({ database });
  }

  override async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await super.acquireConnection();
    if (!this.lock) return connection;
    return (this.locking ??= new LockingConnection(connection, this.database, this.lock));
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    if (connection instanceof LockingConnection) {
      await this.lock!.acquire();
      connection.inTransaction = true;
    }
    try {
      await connection.executeQuery(CompiledQuery.raw('begin immediate'));
    } catch (error) {
      this.ended(connection);
      throw error;
    }
  }

  override async commitTransaction(connection: DatabaseConnection): Promise<void> {
    // A failed COMMIT leaves the transaction open: Kysely rolls it back next, which lets go.
    await connection.executeQuery(CompiledQuery.raw('commit'));
    this.ended(connection);
  }

  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    try {
      await connection.executeQuery(CompiledQuery.raw('rollback'));
    } finally {
      this.ended(connection);
    }
  }

  private ended(connection: DatabaseConnection) {
    if (!(connection instanceof LockingConnection) || !connection.inTransaction) return;
    connection.inTransaction = false;
    this.lock!.release();
  }
}

/**
 * Kysely's SQLite dialect as Switchboard writes:
 *
 * - Every transaction takes the write lock as it begins. When another connection writes the same
 *   file (a CLI command beside the server, a second process), a deferred transaction that reads
 *   and then writes fails at once with SQLITE_BUSY if the other committed in between (its snapshot
 *   is stale; no wait can help), where an immediate one waits its turn at BEGIN (busy_timeout).
 *   Seen with a second connection in the server process: 'database is locked' while seeding the demo.
 * - With a `WriterLock`, the connections of one process's threads (the server's, and its
 *   checkpointer's now and then) take turns at writing without meeting SQLite's lock, so the
 *   server's never sleeps in the busy handler: a transaction takes the lock before BEGIN, a write
 *   outside one around itself. Reads never take it (WAL).
 */
export class SqliteWriterDialect extends SqliteDialect {
  constructor(
    private readonly database: WriteAwareDatabase,
    private readonly lock?: WriterLock,
  ) {
    super({ database });
  }

  override createDriver(): Driver {
    return new WriterDriver(this.database, this.lock);
  }
}
