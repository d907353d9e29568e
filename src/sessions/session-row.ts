import { SessionInfo } from '../model/session-info.js';
import type { Insertable } from 'kysely';
import type { SessionsTable } from '../store/schema.js';
import { writeJson } from '../wire/json-writer.js';

/** `2026-11-27T14:03:11Z` → `2026-11-27T14:03:11.000Z`, so the column sorts as time; other text as it is. */
export function isoDate(value: string | undefined): string | null {
  if (!value) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? value : new Date(ms).toISOString();
}

/** Facts about a session that its document does not carry (SessionInfo has no parent field). */
export interface SessionLinks {
  readonly parentSessionId?: string;
}

/** The sessions row for a session: indexed columns for the list filters, plus the document. */
export function sessionRow(session: SessionInfo, version: number, links: SessionLinks = {}): Insertable<SessionsTable> {
  return {
    account_id: session.accountId ?? '',
    id: session.id ?? '',
    customer_id: session.customerId ?? null,
    endpoint_id: session.endpointId ?? null,
    parent_session_id: links.parentSessionId ?? null,
    date_created: isoDate(session.dateCreated),
    date_last_modified: isoDate(session.dateLastModified),
    date_completed: isoDate(session.dateCompleted),
    ended: session.ended ? 1 : 0,
    channel: session.channel ?? null,
    direction: session.direction ?? null,
    from_address: session.fromAddress ?? null,
    to_address: session.toAddress ?? null,
    call_sid: session.callSid ?? null,
    conference_sid: session.conferenceSid ?? null,
    version,
    document: writeJson(SessionInfo, session),
  };
}
