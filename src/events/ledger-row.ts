import type { Selectable } from 'kysely';
import type { SessionEventsTable } from '../store/schema.js';
import type { RecordedEvent, SessionEvent } from './session-event.js';

/** A recorded event as its ledger row (all but the `seq` the store assigns); the payload is the event itself, as JSON. */
export function ledgerRow(event: RecordedEvent, ingestedAt: string): Omit<Selectable<SessionEventsTable>, 'seq'> {
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

/** A ledger row read back as the event it recorded (without `seq`: as just written, before the store numbered it). */
export function recordedEvent(row: Omit<Selectable<SessionEventsTable>, 'seq'> & { readonly seq?: number | string }): RecordedEvent {
  return {
    accountId: row.account_id,
    sessionId: row.session_id,
    dedupeKey: row.dedupe_key,
    source: row.source,
    occurredAt: row.occurred_at,
    sequence: row.sequence_no === null ? null : Number(row.sequence_no),
    actor: row.actor,
    event: JSON.parse(row.payload) as SessionEvent,
    seq: row.seq === undefined ? undefined : Number(row.seq),
  };
}
