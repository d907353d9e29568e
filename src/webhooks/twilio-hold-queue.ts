import { ApiError } from '../http/errors.js';
import type { TwilioAccount } from '../events/directory-reads.js';
import type { RecordedEvent } from '../events/session-event.js';
import type { SessionIds } from '../events/session-id.js';
import { destinationOf, type Destination } from '../control/destinations.js';
import { sessionOverride } from './twilio-callbacks.js';
import { field, type FormParams } from './verify-twilio-signature.js';

/** What the hold queue's URLs carry (src/control/hold-queue.ts), read back from a signed request. */
export interface HoldQuery {
  readonly sessionId: string;
  readonly holdId: string;
  readonly queueName: string;
  /** The agent to dial: `to` on the resume URL, `back` on the queue's action URL. */
  readonly dial?: Destination;
}

const text = (query: Record<string, unknown>, name: string) => (typeof query[name] === 'string' && query[name] !== '' ? (query[name] as string) : undefined);

/** The session, hold and queue a hold-queue request names; a URL Switchboard did not make is a 400. */
export async function holdQuery(account: TwilioAccount, query: Record<string, unknown>, ids: SessionIds, dialParam: 'to' | 'back'): Promise<HoldQuery> {
  const sessionId = await sessionOverride(ids, account, query);
  const holdId = text(query, 'hold');
  const queueName = text(query, 'queue');
  if (!sessionId || !holdId || !/^[0-9a-f]{16}$/.test(holdId) || !queueName || !/^hold-[\w-]{1,59}$/.test(queueName)) {
    throw new ApiError('BadRequest', 'A hold-queue request names its session, hold and queue (sessionId, hold, queue)');
  }
  const address = text(query, dialParam);
  const dial = address ? destinationOf(address) : undefined;
  if (address && !dial) throw new ApiError('BadRequest', `'${dialParam}' is not a number, client: identity or sip: URI`);
  return { sessionId, holdId, queueName, dial };
}

/**
 * The call in the hold queue (Twilio's first request for the wait music), or out of it (the
 * `<Enqueue>` action's QueueResult, or the request for the TwiML unhold redirected it to). A stay
 * enters once and leaves once: Twilio asks for the music again each time it ends, and reports the
 * leaving by the action and by the redirect, so each is stored under one key per hold.
 */
export function holdQueueEvent(account: TwilioAccount, params: FormParams, hold: HoldQuery, type: 'HoldQueueEntered' | 'HoldQueueLeft', result: string | undefined, receivedAt: Date): RecordedEvent {
  const callSid = field(params, 'CallSid');
  if (!callSid) throw new ApiError('BadRequest', 'CallSid is missing');
  return {
    accountId: account.id,
    sessionId: hold.sessionId,
    dedupeKey: `twilio:hold:${callSid}:${hold.holdId}:${type === 'HoldQueueEntered' ? 'entered' : 'left'}`,
    source: 'twilio',
    occurredAt: receivedAt.toISOString(),
    sequence: null,
    actor: null,
    event: { type, callSid, queueName: hold.queueName, queueSid: field(params, 'QueueSid'), holdId: hold.holdId, ...(type === 'HoldQueueLeft' ? { result: result ?? 'redirected' } : {}) },
  };
}
