/**
 * A write refused by a UNIQUE index: SQLite's extended code (better-sqlite3 `SqliteError.code`) or
 * PostgreSQL's SQLSTATE 23505 unique_violation (postgresql.org/docs/current/errcodes-appendix.html).
 * Both stores name it by a code on the error, so one check serves both.
 */
export const isUniqueViolation = (error: unknown): boolean => {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505';
};
