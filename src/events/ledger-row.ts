import type { Insertable, Selectable } from 'kysely';
import type { SessionEventsTable } from '../store/schema.js';
import type { RecordedEvent, SessionEvent } from './session-event.js';

/** A recorded event as its ledger row; the payload is the event itself, as JSON. */
export function ledgerRow(event: RecordedEvent, ingestedAt: string): Insertable<SessionEventsTable> {
  return {
    account_id: event.accountId,
    session_id: event.sessionId,
    dedupe_key: event.dedupeKey,
    source: event.source,
    type: event.event.type,
    occurred_at: event.occurredAt,
    sequence_no: event.sequence,
    actor: event.actor,
    payload: JSON.stringify(event.event),
    ingested_at: ingestedAt,
  };
}

/** A ledger row read back as the event it recorded. */
export function recordedEvent(row: Selectable<SessionEventsTable>): RecordedEvent {
  return {
    accountId: row.account_id,
    sessionId: row.session_id,
    dedupeKey: row.dedupe_key,
    source: row.source,
    occurredAt: row.occurred_at,
    sequence: row.sequence_no === null ? null : Number(row.sequence_no),
    actor: row.actor,
    event: JSON.parse(row.payload) as SessionEvent,
    seq: Number(row.seq),
  };
}
