import { randomUUID } from 'node:crypto';
import type { SessionWriter } from '../events/session-writer.js';
import { isLegStatus, TERMINAL_LEG_STATUSES, type RecordedEvent, type SessionEvent } from '../events/session-event.js';
import type { SessionInfo } from '../model/session-info.js';
import type { SessionsRepository } from '../sessions/sessions-repository.js';
import type { AccountCredentials } from '../telephony/account-credentials.js';
import type { TwilioClient, TwilioCredentials } from '../telephony/twilio-client.js';
import type { ControlLedger } from './control-ledger.js';

/** What a command should have led to, so a late or lost callback can be checked against Twilio. */
export type Expectation =
  | { readonly kind: 'participant'; readonly conferenceSid: string; readonly callSid: string; readonly hold?: boolean; readonly muted?: boolean }
  | { readonly kind: 'call'; readonly callSid: string }
  /** A call parked in (hold true) or taken out of (false) the session's hold queue, outside a conference. */
  | { readonly kind: 'queue'; readonly callSid: string; readonly queueName: string; readonly holdId: string; readonly hold: boolean }
  /** A recording Twilio accepted: its callbacks should move it past `requested`. */
  | { readonly kind: 'recording'; readonly callSid: string; readonly recordingSid: string };

export interface ReconcilerDeps {
  readonly sessions: SessionsRepository;
  readonly writer: SessionWriter;
  readonly credentials: AccountCredentials;
  readonly clients: { forAccount(credentials: TwilioCredentials): TwilioClient };
  readonly ledger: ControlLedger;
  /** How long a command's callback may take before Twilio is asked. */
  readonly afterMs: number;
  readonly now: () => Date;
  readonly onError?: (error: unknown) => void;
}

/**
 * Heals lost callbacks (call-control-and-messaging.md §4 "Reconciliation"): after a command, once
 * its deadline passes, if the session does not show the expected effect, it asks Twilio for the
 * participant or call and records what Twilio says as events of source `reconcile` (folded like
 * callbacks, so a callback that arrives after all changes nothing more). Also run at once when
 * Twilio says a call is no longer live, or did not answer.
 */
export class Reconciler {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly running = new Set<Promise<unknown>>();

  constructor(private readonly deps: ReconcilerDeps) {}

  get afterMs(): number {
    return this.deps.afterMs;
  }

  /** Checks the expectation after the deadline. */
  schedule(accountId: string, sessionId: string, expectation: Expectation): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      const run: Promise<unknown> = this.check(accountId, sessionId, expectation, `no callback within ${this.deps.afterMs} ms`)
        .catch((error: unknown) => this.deps.onError?.(error))
        .finally(() => this.running.delete(run));
      this.running.add(run);
    }, this.deps.afterMs);
    timer.unref();
    this.timers.add(timer);
  }

  /** Checks now; resolves once what Twilio said is recorded. Never throws (the command's own answer matters more). */
  async now(accountId: string, sessionId: string, expectation: Expectation, why: string): Promise<void> {
    await this.check(accountId, sessionId, expectation, why).catch((error: unknown) => this.deps.onError?.(error));
  }

  /** Cancels pending checks and waits for running ones (the app is closing). */
  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await Promise.allSettled([...this.running]);
  }

  private async check(accountId: string, sessionId: string, expectation: Expectation, why: string): Promise<void> {
    const stored = await this.deps.sessions.findById(sessionId);
    if (!stored || stored.accountId !== accountId) return;
    const session = JSON.parse(stored.json) as SessionInfo;
    if (expectation.kind === 'recording' ? (await this.deps.ledger.recordings(accountId, sessionId)).get(expectation.recordingSid) !== 'requested' : satisfied(session, expectation)) return;
    const client = this.deps.clients.forAccount(await this.deps.credentials.of(accountId));
    const events =
      expectation.kind === 'participant'
        ? await participantEvents(client, session, expectation)
        : expectation.kind === 'recording'
          ? await recordingEvents(client, expectation)
          : expectation.kind === 'queue'
            ? await queueEvents(client, session, expectation)
            : await callEvents(client, session, expectation);
    if (!events.length) return;
    const at = this.deps.now().toISOString();
    const recorded = (event: SessionEvent): RecordedEvent => ({ accountId, sessionId, dedupeKey: `reconcile:${randomUUID()}`, source: 'reconcile', occurredAt: at, sequence: null, actor: null, event });
    await this.deps.writer.write([...events.map(recorded), recorded({ type: 'LogAppended', message: `Checked with Twilio (${why})` })]);
  }
}

const memberOf = (session: SessionInfo, callSid: string) => session.members?.find((m) => m.callSid === callSid);

function satisfied(session: SessionInfo, expectation: Exclude<Expectation, { kind: 'recording' }>): boolean {
  const member = memberOf(session, expectation.callSid);
  if (expectation.kind === 'queue') return session.ended === true || (member?.callState === 'Hold' && session.holdQueueName === expectation.queueName) === expectation.hold;
  if (expectation.kind === 'call') return expectation.callSid === session.callSid ? session.ended === true : member !== undefined && member.callState === 'None';
  if (!member || member.callState === 'None') return session.ended === true;
  if (expectation.hold !== undefined && (member.callState === 'Hold') !== expectation.hold) return false;
  if (expectation.muted !== undefined && member.muted !== expectation.muted) return false;
  return true;
}

const statusOf = (error: unknown) => (typeof error === 'object' && error !== null ? (error as { status?: number }).status : undefined);

/** The participant as Twilio has it, as the conference events that would have said so. */
async function participantEvents(client: TwilioClient, session: SessionInfo, e: Extract<Expectation, { kind: 'participant' }>): Promise<SessionEvent[]> {
  const base = { conferenceSid: e.conferenceSid, callSid: e.callSid };
  const member = memberOf(session, e.callSid);
  let participant: { hold: boolean; muted: boolean };
  try {
    participant = await client.conferences(e.conferenceSid).participants(e.callSid).fetch();
  } catch (error) {
    // Twilio keeps no participant that has left: gone from the conference.
    if (statusOf(error) !== 404) throw error;
    return member && member.callState !== 'None' ? [{ type: 'ParticipantLeft', ...base, reason: 'not in the conference at Twilio' }] : [];
  }
  const events: SessionEvent[] = [];
  if (member && participant.hold !== (member.callState === 'Hold')) events.push({ type: participant.hold ? 'ParticipantHeld' : 'ParticipantUnheld', ...base, hold: participant.hold, muted: participant.muted });
  if (member && participant.muted !== member.muted) events.push({ type: participant.muted ? 'ParticipantMuted' : 'ParticipantUnmuted', ...base, hold: participant.hold, muted: participant.muted });
  return events;
}

/** The call's status as Twilio has it, when it has ended and the session does not show it yet. */
async function callEvents(client: TwilioClient, session: SessionInfo, e: Extract<Expectation, { kind: 'call' }>): Promise<SessionEvent[]> {
  const call = await client.calls(e.callSid).fetch();
  if (!isLegStatus(call.status) || !TERMINAL_LEG_STATUSES.has(call.status)) return [];
  const parent = e.callSid === session.callSid ? undefined : session.callSid;
  return [{ type: 'CallLegStatus', callSid: e.callSid, parentCallSid: parent, status: call.status, durationSeconds: call.duration ? Number(call.duration) : undefined }];
}

/** The recording's status as Twilio has it (a recording Twilio no longer has was never kept: absent). */
async function recordingEvents(client: TwilioClient, e: Extract<Expectation, { kind: 'recording' }>): Promise<SessionEvent[]> {
  let status: string;
  try {
    status = (await client.recordings(e.recordingSid).fetch()).status;
  } catch (error) {
    if (statusOf(error) !== 404) throw error;
    status = 'absent';
  }
  return [{ type: 'RecordingStatus', callSid: e.callSid, recordingSid: e.recordingSid, status }];
}

/**
 * The call as Twilio has it: in the session's hold queue (a member of it), ended, or live and out
 * of the queue; recorded as the hold-queue events (or the call status) that would have said so.
 */
async function queueEvents(client: TwilioClient, session: SessionInfo, e: Extract<Expectation, { kind: 'queue' }>): Promise<SessionEvent[]> {
  const base = { callSid: e.callSid, queueName: e.queueName, holdId: e.holdId };
  const queue = (await client.queues.list({ limit: 1000 })).find((q) => q.friendlyName === e.queueName);
  let queued = false;
  if (queue) {
    try {
      await client.queues(queue.sid).members(e.callSid).fetch();
      queued = true;
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
    }
  }
  if (queued) return e.hold ? [{ type: 'HoldQueueEntered', ...base, queueSid: queue!.sid }] : [];
  const ended = await callEvents(client, session, { kind: 'call', callSid: e.callSid });
  if (ended.length) return ended;
  const held = memberOf(session, e.callSid)?.callState === 'Hold' && session.holdQueueName === e.queueName;
  return held ? [{ type: 'HoldQueueLeft', ...base, queueSid: queue?.sid, result: 'redirected' }] : [];
}
