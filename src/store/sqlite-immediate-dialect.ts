import { CompiledQuery, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver, type SqliteDialectConfig } from 'kysely';

class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

/**
 * Kysely's SQLite dialect with every transaction taking the write lock as it begins. When another
 * connection writes the same file (a CLI command beside the server, a second process), a deferred
 * transaction that reads and then writes fails at once with SQLITE_BUSY if the other committed in
 * between (its snapshot is stale; no wait can help), where an immediate one waits its turn at BEGIN
 * (busy_timeout). Seen with a second connection in the server process: 'database is locked' while
 * seeding the demo.
 */
export class ImmediateSqliteDialect extends SqliteDialect {
  constructor(private readonly config: SqliteDialectConfig) {
    super(config);
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.config);
  }
}
