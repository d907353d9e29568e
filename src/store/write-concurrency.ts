/**
 * How concurrent writers meet in a store: what a transaction that changes several rows must do so
 * that two of them never lose an update nor deadlock.
 */
export interface WriteConcurrency {
  /**
   * True when the store runs one write transaction at a time (SQLite: one writer per file, and one
   * connection per process). Then row locks are free and ordering them is pointless; otherwise a
   * writer locks the rows it will change first, in one canonical order.
   */
  readonly serializesWriters: boolean;
  /**
   * A transaction that failed only because of another one (deadlock victim, serialization failure)
   * and succeeds if simply run again.
   */
  isTransientConflict(error: unknown): boolean;
}

export const sqliteWriteConcurrency: WriteConcurrency = Object.freeze({
  serializesWriters: true,
  isTransientConflict: () => false,
});

// SQLSTATE 40P01 deadlock_detected, 40001 serialization_failure (postgresql.org/docs/current/errcodes-appendix.html).
const TRANSIENT = new Set(['40P01', '40001']);

export const postgresWriteConcurrency: WriteConcurrency = Object.freeze({
  serializesWriters: false,
  isTransientConflict: (error: unknown) => TRANSIENT.has((error as { code?: string } | null)?.code ?? ''),
});
