import { ApiError } from '../http/errors.js';
import { assertSessionId } from '../sessions/get-session.js';
import type { DirectoryReads, TwilioAccount } from '../events/directory-reads.js';
import { isLegStatus, type RecordedEvent, type SessionEvent, type SessionOpening } from '../events/session-event.js';
import type { SessionIds } from '../events/session-id.js';
import { field, type FormParams } from './verify-twilio-signature.js';

/** The moment a callback describes: Twilio's `Timestamp` (RFC 2822), else when we received it. */
function occurredAt(params: FormParams, receivedAt: Date): string {
  const stamp = field(params, 'Timestamp');
  const ms = stamp ? Date.parse(stamp) : NaN;
  return new Date(Number.isNaN(ms) ? receivedAt.getTime() : ms).toISOString();
}

function required(params: FormParams, name: string): string {
  const value = field(params, name);
  if (value === undefined) throw new ApiError('BadRequest', `${name} is missing`);
  return value;
}

function sequenceOf(params: FormParams): number | null {
  const raw = field(params, 'SequenceNumber');
  if (raw === undefined) return null;
  if (!/^\d{1,9}$/.test(raw)) throw new ApiError('BadRequest', 'SequenceNumber must be a whole number');
  return Number(raw);
}

const callSession = (ids: SessionIds, account: TwilioAccount, callSid: string) => ids.forKey(account.id, 'twilio', callSid);

/** `?sessionId=` on the callback URL (part of what Twilio signs) names the session (`SessionIds.named`). */
export async function sessionOverride(ids: SessionIds, account: TwilioAccount, query: Record<string, unknown>): Promise<string | undefined> {
  const value = query.sessionId;
  return typeof value === 'string' && value !== '' ? ids.named(account.id, assertSessionId(value)) : undefined;
}

/** What the directory says about a call: the endpoint on our side of it, its customer, the account's name. */
async function openingFor(account: TwilioAccount, params: FormParams, directory: DirectoryReads): Promise<SessionOpening> {
  const callSid = required(params, 'CallSid');
  const from = field(params, 'From');
  const to = field(params, 'To');
  const direction = (field(params, 'Direction') ?? 'inbound').startsWith('outbound') ? 'Outgoing' : 'Incoming';
  const ours = direction === 'Incoming' ? to : from;
  const endpoint = ours ? await directory.endpointByAddress(account.id, ours) : undefined;
  const customer = endpoint?.customerId ? await directory.customer(account.id, endpoint.customerId) : undefined;
  return {
    channel: 'Voice',
    direction,
    callSid,
    fromAddress: from,
    toAddress: to,
    fromName: field(params, 'CallerName'),
    displayName: direction === 'Incoming' ? from : to,
    destination: direction === 'Outgoing' ? to : undefined,
    accountName: account.name,
    endpointId: endpoint?.id,
    endpointName: endpoint?.displayName,
    ...customer,
  };
}

/** `POST /twilio/voice`: the incoming-call webhook opens the session (inbound, ringing). */
export async function voiceWebhookEvent(account: TwilioAccount, params: FormParams, directory: DirectoryReads, receivedAt: Date, ids: SessionIds): Promise<RecordedEvent> {
  required(params, 'From');
  required(params, 'To');
  const opening = await openingFor(account, params, directory);
  return {
    accountId: account.id,
    sessionId: await callSession(ids, account, opening.callSid!),
    dedupeKey: `twilio:voice:${opening.callSid}`,
    source: 'twilio',
    occurredAt: occurredAt(params, receivedAt),
    sequence: null,
    actor: null,
    event: { type: 'SessionStarted', ...opening },
  };
}

/** `POST /twilio/voice/status`: call progress of the parent leg or of a child leg (`ParentCallSid`). */
export async function callStatusEvent(
  account: TwilioAccount,
  params: FormParams,
  query: Record<string, unknown>,
  directory: DirectoryReads,
  receivedAt: Date,
  ids: SessionIds,
): Promise<RecordedEvent> {
  const callSid = required(params, 'CallSid');
  const status = required(params, 'CallStatus');
  if (!isLegStatus(status)) throw new ApiError('BadRequest', `CallStatus '${status}' is not a call status`);
  const parentCallSid = field(params, 'ParentCallSid');
  const sequence = sequenceOf(params);
  const duration = field(params, 'CallDuration');
  const override = await sessionOverride(ids, account, query);
  // A leg sent to another call's session by `?sessionId=` (e.g. an agent dialled into its
  // conference through the Participants API) is a member leg, like a `<Dial>` child.
  const isChild = parentCallSid !== undefined || (override !== undefined && override !== (await callSession(ids, account, callSid)));
  const event: SessionEvent = {
    type: 'CallLegStatus',
    callSid,
    parentCallSid,
    ...(isChild && parentCallSid === undefined ? { memberLeg: true } : {}),
    status,
    party: isChild ? await directory.partyFor(account.id, field(params, 'To')) : undefined,
    answeredBy: field(params, 'AnsweredBy'),
    durationSeconds: duration !== undefined && /^\d{1,9}$/.test(duration) ? Number(duration) : undefined,
    recordingUrl: field(params, 'RecordingUrl'),
    opening: isChild ? undefined : await openingFor(account, params, directory),
  };
  return {
    accountId: account.id,
    sessionId: override ?? (await callSession(ids, account, parentCallSid ?? callSid)),
    dedupeKey: `twilio:call:${callSid}:${field(params, 'CallbackSource') ?? 'call-progress-events'}:${sequence ?? status}`,
    source: 'twilio',
    occurredAt: occurredAt(params, receivedAt),
    sequence,
    actor: null,
    event,
  };
}

const PARTICIPANT_EVENTS = {
  'participant-join': 'ParticipantJoined',
  'participant-leave': 'ParticipantLeft',
  'participant-hold': 'ParticipantHeld',
  'participant-unhold': 'ParticipantUnheld',
  'participant-mute': 'ParticipantMuted',
  'participant-unmute': 'ParticipantUnmuted',
} as const;

/** Conference events that change nothing we keep (speech, announcements, modify): acknowledged, not stored. */
const IGNORED_CONFERENCE_EVENTS = new Set([
  'participant-modify',
  'participant-speech-start',
  'participant-speech-stop',
  'announcement-end',
  'announcement-fail',
  'conference-record-end',
]);

/**
 * The session a conference belongs to: `?sessionId=` on the callback URL, else its FriendlyName,
 * which is either the session id or the parent CallSid the conference was made for (docs/events.md).
 */
async function conferenceSession(ids: SessionIds, account: TwilioAccount, params: FormParams, query: Record<string, unknown>): Promise<string> {
  const override = await sessionOverride(ids, account, query);
  if (override) return override;
  const name = required(params, 'FriendlyName');
  return /^CA[0-9a-f]{32}$/i.test(name) ? callSession(ids, account, name) : ids.named(account.id, assertSessionId(name));
}

/** `POST /twilio/conference/status`; undefined for events Switchboard does not keep. */
export async function conferenceEvent(
  account: TwilioAccount,
  params: FormParams,
  query: Record<string, unknown>,
  directory: DirectoryReads,
  receivedAt: Date,
  ids: SessionIds,
): Promise<RecordedEvent | undefined> {
  const conferenceSid = required(params, 'ConferenceSid');
  const kind = required(params, 'StatusCallbackEvent');
  if (IGNORED_CONFERENCE_EVENTS.has(kind)) return undefined;
  const friendlyName = field(params, 'FriendlyName');
  let event: SessionEvent;
  if (kind === 'conference-start' || kind === 'conference-end') {
    event = { type: kind === 'conference-start' ? 'ConferenceStarted' : 'ConferenceEnded', conferenceSid, friendlyName, reason: field(params, 'ReasonConferenceEnded') };
  } else if (kind in PARTICIPANT_EVENTS) {
    const label = field(params, 'ParticipantLabel');
    const party = label ? await directory.partyFor(account.id, label) : undefined;
    event = {
      type: PARTICIPANT_EVENTS[kind as keyof typeof PARTICIPANT_EVENTS],
      conferenceSid,
      friendlyName,
      callSid: required(params, 'CallSid'),
      // An unknown label names nobody in the directory: it must not turn the member into a transfer target.
      party: party?.endpointId ? party : undefined,
      hold: field(params, 'Hold') === 'true',
      muted: field(params, 'Muted') === 'true',
      reason: field(params, 'ReasonParticipantLeft'),
    };
  } else {
    throw new ApiError('BadRequest', `StatusCallbackEvent '${kind}' is not a conference event`);
  }
  const sequence = sequenceOf(params);
  return {
    accountId: account.id,
    sessionId: await conferenceSession(ids, account, params, query),
    dedupeKey: `twilio:conference:${conferenceSid}:${sequence ?? `${kind}:${field(params, 'CallSid') ?? ''}`}`,
    source: 'twilio',
    occurredAt: occurredAt(params, receivedAt),
    sequence,
    actor: null,
    event,
  };
}

/**
 * `POST /twilio/recording/status`: a recording Switchboard started (RecordSession) in progress,
 * completed (with its URL) or absent. The session is `?sessionId=`, else the call's.
 */
export async function recordingEvent(account: TwilioAccount, params: FormParams, query: Record<string, unknown>, receivedAt: Date, ids: SessionIds): Promise<RecordedEvent> {
  const recordingSid = required(params, 'RecordingSid');
  const status = required(params, 'RecordingStatus');
  const callSid = field(params, 'CallSid');
  const sessionId = (await sessionOverride(ids, account, query)) ?? (callSid ? await callSession(ids, account, callSid) : undefined);
  if (!sessionId) throw new ApiError('BadRequest', 'CallSid is missing');
  const duration = field(params, 'RecordingDuration');
  return {
    accountId: account.id,
    sessionId,
    dedupeKey: `twilio:recording:${recordingSid}:${status}`,
    source: 'twilio',
    occurredAt: occurredAt(params, receivedAt),
    sequence: null,
    actor: null,
    event: {
      type: 'RecordingStatus',
      callSid,
      recordingSid,
      status,
      recordingUrl: field(params, 'RecordingUrl'),
      durationSeconds: duration !== undefined && /^\d{1,9}$/.test(duration) ? Number(duration) : undefined,
    },
  };
}
