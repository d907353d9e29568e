import type { Generated } from 'kysely';

/**
 * Every table is keyed by account first, so a distributed PostgreSQL (Citus, by account_id) takes
 * this schema unchanged. Dates are ISO-8601 UTC text (`…T…Z`), which sorts as time on every store.
 */
export interface Database {
  sessions: SessionsTable;
  session_events: SessionEventsTable;
}

export interface SessionsTable {
  account_id: string;
  id: string;
  customer_id: string | null;
  endpoint_id: string | null;
  parent_session_id: string | null;
  date_created: string | null;
  date_last_modified: string | null;
  date_completed: string | null;
  ended: number;
  channel: string | null;
  direction: string | null;
  from_address: string | null;
  to_address: string | null;
  call_sid: string | null;
  conference_sid: string | null;
  /** Bumped on every write: optimistic concurrency and cache validation. */
  version: number;
  /** The SessionInfo as its canonical JSON response: GET sends these bytes as they are. */
  document: string;
}

/** The append-only ledger: every event once, by its dedupe key. */
export interface SessionEventsTable {
  seq: Generated<number>;
  account_id: string;
  session_id: string;
  dedupe_key: string;
  source: string;
  type: string;
  /** Provider timestamp, ISO-8601 UTC. */
  occurred_at: string;
  /** Provider sequence number within its source, when it has one. */
  sequence_no: number | null;
  actor: string | null;
  payload: string;
  ingested_at: string;
}
