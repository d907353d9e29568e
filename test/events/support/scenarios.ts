import { sessionIdForKey } from '../../../src/events/session-id.js';
import { ACCOUNT_ID, ACCOUNT_SID, SESSION_KEY_SECRET_FOR_TESTS } from './directory-seed.js';

/** One callback as Twilio (or a neutral feed) would deliver it, and when it reached us. */
export type Delivery =
  | { readonly kind: 'twilio'; readonly path: '/twilio/voice' | '/twilio/voice/status' | '/twilio/conference/status'; readonly query?: string; readonly params: Record<string, string>; readonly at: string }
  | { readonly kind: 'neutral'; readonly body: { accountId: string; events: Record<string, unknown>[] }; readonly at: string };

export interface Scenario {
  readonly name: string;
  readonly sessionId: string;
  readonly deliveries: readonly Delivery[];
}

const T0 = Date.UTC(2026, 10, 27, 14, 3, 11);
const iso = (s: number) => new Date(T0 + s * 1000).toISOString();
/** Twilio's Timestamp is RFC 2822. */
const rfc2822 = (s: number) => new Date(T0 + s * 1000).toUTCString().replace('GMT', '+0000');

const CALLER = '+15035551234';
const MAIN_LINE = '+15035550000';
const SALES_LINE = '+15035550100';
const sid = (n: number) => `CA${n.toString(16).padStart(32, '0')}`;
const CONFERENCE = 'CF0123456789abcdef0123456789abcdef';
const OTHER_CONFERENCE = 'CFfedcba9876543210fedcba9876543210';
const callSession = (callSid: string) => sessionIdForKey(SESSION_KEY_SECRET_FOR_TESTS, ACCOUNT_ID, 'twilio', callSid);

const common = { AccountSid: ACCOUNT_SID, ApiVersion: '2010-04-01' };

function voice(callSid: string, at: number): Delivery {
  return {
    kind: 'twilio',
    path: '/twilio/voice',
    at: iso(at),
    params: { ...common, CallSid: callSid, CallStatus: 'ringing', Direction: 'inbound', From: CALLER, To: MAIN_LINE, Caller: CALLER, Called: MAIN_LINE, CallerName: 'O\'Brien "Pat"', FromCity: 'PORTLAND', FromState: 'OR', FromCountry: 'US' },
  };
}

interface Leg {
  readonly callSid: string;
  readonly from: string;
  readonly to: string;
  readonly direction: 'inbound' | 'outbound-api' | 'outbound-dial';
  readonly parent?: string;
  readonly query?: string;
}

function status(leg: Leg, callStatus: string, sequence: number, at: number, extra: Record<string, string> = {}): Delivery {
  return {
    kind: 'twilio',
    path: '/twilio/voice/status',
    query: leg.query,
    at: iso(at),
    params: {
      ...common,
      CallSid: leg.callSid,
      CallStatus: callStatus,
      Direction: leg.direction,
      From: leg.from,
      To: leg.to,
      Caller: leg.from,
      Called: leg.to,
      CallbackSource: 'call-progress-events',
      SequenceNumber: String(sequence),
      Timestamp: rfc2822(at),
      ...(leg.parent ? { ParentCallSid: leg.parent } : {}),
      ...extra,
    },
  };
}

function conference(event: string, sequence: number, at: number, extra: Record<string, string> = {}, friendlyName?: string, conferenceSid = CONFERENCE): Delivery {
  return {
    kind: 'twilio',
    path: '/twilio/conference/status',
    at: iso(at),
    params: { ...common, ConferenceSid: conferenceSid, FriendlyName: friendlyName ?? '', StatusCallbackEvent: event, SequenceNumber: String(sequence), Timestamp: rfc2822(at), ...extra },
  };
}

const participant = (callSid: string, label?: string, flags: { hold?: boolean; muted?: boolean } = {}) => ({
  CallSid: callSid,
  Hold: String(flags.hold ?? false),
  Muted: String(flags.muted ?? false),
  Coaching: 'false',
  EndConferenceOnExit: 'false',
  StartConferenceOnEnter: 'true',
  ...(label ? { ParticipantLabel: label } : {}),
});

/** The incoming-call webhook and the caller's leg answered by the voice app. */
const callerAnswered = (caller: Leg): Delivery[] => [voice(caller.callSid, 0), status(caller, 'ringing', 0, 0), status(caller, 'in-progress', 1, 1)];

function inboundAnswered(): Scenario {
  const caller: Leg = { callSid: sid(1), from: CALLER, to: MAIN_LINE, direction: 'inbound' };
  const dana: Leg = { callSid: sid(2), from: MAIN_LINE, to: 'client:dana', direction: 'outbound-dial', parent: sid(1) };
  return {
    name: 'inbound-answered',
    sessionId: callSession(caller.callSid),
    deliveries: [
      ...callerAnswered(caller),
      status(dana, 'initiated', 0, 2),
      status(dana, 'ringing', 1, 3),
      status(dana, 'in-progress', 2, 9),
      status(dana, 'completed', 3, 95, { CallDuration: '86' }),
      status(caller, 'completed', 2, 96, { CallDuration: '96' }),
    ],
  };
}

function inboundMissedVoicemail(): Scenario {
  const caller: Leg = { callSid: sid(11), from: CALLER, to: MAIN_LINE, direction: 'inbound' };
  const dana: Leg = { callSid: sid(12), from: MAIN_LINE, to: 'client:dana', direction: 'outbound-dial', parent: sid(11) };
  return {
    name: 'inbound-missed-voicemail',
    sessionId: callSession(caller.callSid),
    deliveries: [
      ...callerAnswered(caller),
      status(dana, 'initiated', 0, 2),
      status(dana, 'ringing', 1, 2),
      status(dana, 'no-answer', 2, 22),
      status(caller, 'completed', 2, 61, {
        CallDuration: '61',
        RecordingUrl: 'https://api.twilio.com/2010-04-01/Accounts/AC1111111111111111111111111111aaaa/Recordings/RE0123456789abcdef0123456789abcdef',
        RecordingSid: 'RE0123456789abcdef0123456789abcdef',
        RecordingDuration: '31',
      }),
    ],
  };
}

function abandonedInQueue(): Scenario {
  const caller: Leg = { callSid: sid(21), from: CALLER, to: MAIN_LINE, direction: 'inbound' };
  const sessionId = callSession(caller.callSid);
  return {
    name: 'abandoned-in-queue',
    sessionId,
    deliveries: [
      ...callerAnswered(caller),
      {
        kind: 'neutral',
        at: iso(2),
        body: { accountId: ACCOUNT_ID, events: [{ id: 'q-21', source: 'voice-app', sessionId, type: 'QueueEntered', occurredAt: iso(2), data: { queueName: 'Billing', ringQueueId: 'rq_billing' } }] },
      },
      status(caller, 'completed', 2, 45, { CallDuration: '45' }),
    ],
  };
}

function outbound(name: string, n: number, final: 'busy' | 'no-answer', endsAt: number): Scenario {
  const leg: Leg = { callSid: sid(n), from: SALES_LINE, to: '+15035559999', direction: 'outbound-api' };
  return {
    name,
    sessionId: callSession(leg.callSid),
    deliveries: [status(leg, 'initiated', 0, 0), status(leg, 'ringing', 1, 1), status(leg, final, 2, endsAt, { CallDuration: '0' })],
  };
}

function warmTransfer(): Scenario {
  const caller: Leg = { callSid: sid(41), from: CALLER, to: MAIN_LINE, direction: 'inbound' };
  const sessionId = callSession(caller.callSid);
  // Agent and transfer legs are dialled into the conference with the Participants API: no
  // ParentCallSid, so their status callback URL names the session.
  const dana: Leg = { callSid: sid(42), from: MAIN_LINE, to: 'client:dana', direction: 'outbound-api', query: `sessionId=${sessionId}` };
  const target: Leg = { callSid: sid(43), from: MAIN_LINE, to: '+15035557777', direction: 'outbound-api', query: `sessionId=${sessionId}` };
  const name = caller.callSid;
  return {
    name: 'warm-transfer',
    sessionId,
    deliveries: [
      ...callerAnswered(caller),
      status(dana, 'initiated', 0, 2),
      status(dana, 'ringing', 1, 3),
      status(dana, 'in-progress', 2, 8),
      conference('participant-join', 1, 5, participant(caller.callSid), name),
      conference('conference-start', 2, 8, {}, name),
      conference('participant-join', 3, 8, participant(dana.callSid, 'client:dana'), name),
      status(target, 'initiated', 0, 28),
      status(target, 'ringing', 1, 29),
      conference('participant-hold', 4, 30, participant(caller.callSid, undefined, { hold: true }), name),
      status(target, 'in-progress', 2, 40),
      conference('participant-join', 5, 40, participant(target.callSid), name),
      conference('participant-mute', 6, 45, participant(dana.callSid, 'client:dana', { muted: true }), name),
      conference('participant-unhold', 7, 50, participant(caller.callSid), name),
      conference('participant-leave', 8, 60, { ...participant(dana.callSid, 'client:dana', { muted: true }), ParticipantCallStatus: 'completed', ReasonParticipantLeft: 'participant_hung_up' }, name),
      status(dana, 'completed', 3, 60, { CallDuration: '52' }),
      conference('participant-leave', 9, 120, { ...participant(caller.callSid), ReasonParticipantLeft: 'participant_hung_up' }, name),
      conference('participant-leave', 10, 120, { ...participant(target.callSid), ReasonParticipantLeft: 'conference_ended_via_api' }, name),
      conference('conference-end', 11, 120, { ReasonConferenceEnded: 'last-participant-left', CallSidEndingConference: target.callSid }, name),
      status(target, 'completed', 3, 120, { CallDuration: '80' }),
      status(caller, 'completed', 2, 121, { CallDuration: '121' }),
    ],
  };
}

function agentLeavesFirst(): Scenario {
  const caller: Leg = { callSid: sid(51), from: CALLER, to: MAIN_LINE, direction: 'inbound' };
  const sessionId = callSession(caller.callSid);
  const lee: Leg = { callSid: sid(52), from: MAIN_LINE, to: 'client:lee', direction: 'outbound-dial', parent: caller.callSid };
  // The voice app names the conference after the session.
  return {
    name: 'agent-leaves-first',
    sessionId,
    deliveries: [
      ...callerAnswered(caller),
      conference('participant-join', 1, 2, participant(caller.callSid), sessionId, OTHER_CONFERENCE),
      conference('conference-start', 2, 2, {}, sessionId, OTHER_CONFERENCE),
      status(lee, 'initiated', 0, 3),
      status(lee, 'ringing', 1, 4),
      status(lee, 'in-progress', 2, 7),
      conference('participant-join', 3, 7, participant(lee.callSid, 'client:lee'), sessionId, OTHER_CONFERENCE),
      conference('participant-leave', 4, 50, { ...participant(lee.callSid, 'client:lee'), ReasonParticipantLeft: 'participant_hung_up' }, sessionId, OTHER_CONFERENCE),
      status(lee, 'completed', 3, 50, { CallDuration: '43' }),
      conference('participant-leave', 5, 55, { ...participant(caller.callSid), ReasonParticipantLeft: 'participant_hung_up' }, sessionId, OTHER_CONFERENCE),
      conference('conference-end', 6, 55, { ReasonConferenceEnded: 'last-participant-left' }, sessionId, OTHER_CONFERENCE),
      status(caller, 'completed', 2, 56, { CallDuration: '56' }),
    ],
  };
}

function chat(): Scenario {
  const key = 'conv-7f3a';
  const e = (id: string, at: number, type: string, data: Record<string, string>) => ({ id, source: 'webchat', sessionKey: key, type, occurredAt: iso(at), data });
  const batch = (at: number, ...events: Record<string, unknown>[]): Delivery => ({ kind: 'neutral', at: iso(at), body: { accountId: ACCOUNT_ID, events } });
  return {
    name: 'chat-neutral',
    sessionId: sessionIdForKey(SESSION_KEY_SECRET_FOR_TESTS, ACCOUNT_ID, 'webchat', key),
    deliveries: [
      batch(0, e('e1', 0, 'SessionStarted', { channel: 'Chat', direction: 'Incoming', from: 'visitor-42', to: 'support', fromName: 'Visitor 42', endpointId: 'ep_main_line' }), e('e2', 0, 'MemberJoined', { identity: 'visitor-42', displayName: 'Visitor 42', role: 'Caller' })),
      batch(5, e('e3', 5, 'MemberJoined', { identity: 'client:dana' })),
      batch(6, e('e4', 6, 'LogAppended', { message: 'Dana: how can I help?' })),
      batch(40, e('e5', 40, 'MemberLeft', { identity: 'visitor-42' }), e('e6', 41, 'SessionEnded', { outcome: 'Resolved' })),
    ],
  };
}

/** Every scenario the golden, property and crash tests run. */
export const SCENARIOS: readonly Scenario[] = [
  inboundAnswered(),
  inboundMissedVoicemail(),
  abandonedInQueue(),
  outbound('outbound-busy', 31, 'busy', 6),
  outbound('outbound-no-answer', 32, 'no-answer', 31),
  warmTransfer(),
  agentLeavesFirst(),
  chat(),
];
