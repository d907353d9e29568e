import { ApiError, validationError } from '../http/errors.js';
import type { Operation, OperationContext } from '../http/operation.js';
import { StoredBody } from '../http/stored-body.js';
import { accountFor, signedIn } from '../directory/tenancy.js';
import type { SessionInfo, SessionMemberInfo } from '../model/session-info.js';
import { SessionInfo as SessionInfoDto } from '../model/session-info.js';
import type { CallControl, CommandPlan } from './call-control.js';
import {
  AddConferenceMember,
  EndSession,
  GetActiveCalls,
  GetActiveCallsResponse,
  HoldSession,
  MakeConference,
  NewOutgoingSession,
  PatchConferenceMember,
  RecordSession,
  RedirectSession,
  RejectSession,
} from './control-dtos.js';
import { callInfoOf } from './call-info.js';
import { isRunningRecording } from '../events/recordings.js';
import { assertCallSid, conferenceTwiml, destinationOf, dialTwiml, E164, MAX_TWIML, resolveDestination, type Destination } from './destinations.js';
import { enqueueTwiml, holdQueueName, holdResumeUrl, newHoldId } from './hold-queue.js';

/** Where Twilio reaches this server (the callbacks we give it), from the public URL or the request. */
export type CallbackBase = (context: OperationContext) => string;

const AGENTS = ['User', 'Manager'] as const;

const body = (result: { stored: { json: string; id: string } }) => new StoredBody(result.stored.json, result.stored.id);

function assertLive(session: SessionInfo, what: string) {
  if (session.ended) throw new ApiError('SessionEnded', `Session '${session.id}' has ended; ${what} is not possible`);
}

/** A member leg that is still on the call (ringing, connected or held). */
const live = (member: SessionMemberInfo | undefined) => member !== undefined && member.callState !== undefined && member.callState !== 'None';

function memberByCallSid(session: SessionInfo, field: string, callSid: string): SessionMemberInfo {
  const member = session.members?.find((m) => m.callSid === callSid);
  if (!member) throw validationError(field, 'NotAMember', `'${field}' ${callSid} is not a call of this session.`);
  return member;
}

/** The conference the session's legs are in now, if any (members connected or held in it). */
const liveConference = (session: SessionInfo) => (session.conferenceSid && session.members?.some((m) => m.callState === 'Connected' || m.callState === 'Hold') ? session.conferenceSid : undefined);

const conferenceCallback = (base: string, sessionId: string) => `${base}/twilio/conference/status?sessionId=${encodeURIComponent(sessionId)}`;
const callCallback = (base: string, sessionId: string) => `${base}/twilio/voice/status?sessionId=${encodeURIComponent(sessionId)}`;

/** The legs that move into a conference: members first (moving the caller first would drop a bridged agent), the caller last. */
function makeConferencePlans(session: SessionInfo, base: string): CommandPlan[] {
  const legs = (session.members ?? []).filter((m) => m.callSid && m.callSid !== session.callSid && m.callState === 'Connected').map((m) => m.callSid!);
  if (session.callSid) legs.push(session.callSid);
  if (!legs.length) throw new ApiError('Conflict', `Session '${session.id}' has no live call to put in a conference`);
  return legs.map((callSid) => ({
    request: { command: 'conference', callSid },
    what: `moving ${callSid} into the conference`,
    send: async (client) => {
      await client.calls(callSid).update({ twiml: conferenceTwiml(session.id!, conferenceCallback(base, session.id!), callSid === session.callSid) });
    },
  }));
}

/** Ends a chat session (messaging does: a chat has no call to hang up). */
export interface ChatEnder {
  endChat(accountId: string, sessionId: string, context: OperationContext): Promise<void>;
}

/** DELETE /sessions/{sessionId}: hangs up (a chat: ends it); an ended session (or leg) is a 204 with nothing sent. */
export function endSessionOperation(control: CallControl, chats?: ChatEnder): Operation<typeof EndSession> {
  return {
    request: EndSession,
    routes: [{ path: '/sessions/{sessionId}', verbs: ['DELETE'] }],
    access: { anyRole: AGENTS },
    description: 'Hangs up the session, or the one leg given (canceled while it rings), or ends a chat; idempotent: an ended session is a 204 with no Twilio request',
    async handle(input, context) {
      const callSid = input.callSid ? assertCallSid('CallSid', input.callSid) : undefined;
      await control.run(input.sessionId, context, async (session, accountId) => {
        if (session.ended) return undefined;
        if (session.channel === 'Chat' && chats) return void (await chats.endChat(accountId, session.id!, context));
        if (callSid && callSid !== session.callSid) {
          const member = memberByCallSid(session, 'CallSid', callSid);
          if (!live(member)) return undefined;
          const status = member.callState === 'Ringing' ? 'canceled' : 'completed';
          return { request: { command: 'end', callSid }, what: `hanging up ${callSid}`, send: async (c) => void (await c.calls(callSid).update({ status })), expect: { kind: 'call', callSid } };
        }
        const conference = liveConference(session);
        // Ending the conference takes every member with it, held ones included: nobody is left on hold in a live conference.
        if (conference && !callSid) {
          return { request: { command: 'end' }, what: 'ending the conference', send: async (c) => void (await c.conferences(conference).update({ status: 'completed' })), expect: session.callSid ? { kind: 'call', callSid: session.callSid } : undefined };
        }
        const target = callSid ?? session.callSid;
        if (!target) throw new ApiError('Conflict', `Session '${session.id}' has no call to hang up`);
        const status = session.callState === 'Ringing' && session.direction === 'Outgoing' ? 'canceled' : 'completed';
        return { request: { command: 'end', callSid: target }, what: `hanging up ${target}`, send: async (c) => void (await c.calls(target).update({ status })), expect: { kind: 'call', callSid: target } };
      });
      // Twilio no longer having the call is what was asked for: reconciled, answered 204.
      return undefined;
    },
  };
}

/**
 * Where a call parked in the hold queue goes back to: the agent taking it off hold (their own User
 * endpoint), else the agent who answered it, else the last agent on the call.
 */
async function agentToResume(control: CallControl, session: SessionInfo, accountId: string, context: OperationContext): Promise<Destination> {
  const directory = control.deps.directory;
  const endpoints = [...(await directory.ownEndpointIds(accountId, context)), ...(session.answeredById ? [session.answeredById] : [])];
  for (const id of endpoints) {
    const address = await directory.addressOfEndpoint(accountId, id);
    const destination = address ? destinationOf(address) : undefined;
    if (destination) return destination;
  }
  const agent = [...(session.members ?? [])].reverse().find((m) => m.role === 'Agent' && m.identity && destinationOf(m.identity));
  if (agent) return destinationOf(agent.identity!)!;
  throw new ApiError('Conflict', `Session '${session.id}' has no agent to take the caller back to`);
}

/** The agent the caller is talking to now (dialled back should the hold queue refuse the call). */
const connectedAgent = (session: SessionInfo) => {
  const agent = session.members?.find((m) => m.role === 'Agent' && m.callState === 'Connected' && m.identity && destinationOf(m.identity));
  return agent?.identity;
};

/** POST /sessions/{sessionId}/hold: holds the caller (or the leg given) in the session's conference, else parks the call in the session's hold queue. */
export function holdSessionOperation(control: CallControl, base: CallbackBase): Operation<typeof HoldSession> {
  return {
    request: HoldSession,
    response: SessionInfoDto,
    routes: [{ path: '/sessions/{sessionId}/hold', verbs: ['POST'] }],
    access: { anyRole: AGENTS },
    description: 'Puts the caller (or the leg given) on hold: in the conference, or, outside one, parked in the session’s hold queue (holdQueueName); returns the session as it is, which shows Hold once Twilio confirms',
    async handle(input, context) {
      const result = await control.run(input.sessionId, context, async (session, accountId) => {
        assertLive(session, 'hold');
        const callSid = input.callSid ? assertCallSid('CallSid', input.callSid) : session.callSid;
        if (!callSid) throw new ApiError('Conflict', `Session '${session.id}' has no call to hold`);
        const member = memberByCallSid(session, 'CallSid', callSid);
        if ((await control.participantState(session, accountId, callSid)).hold) return undefined;
        const reason = input.reason ?? 'None';
        const conference = liveConference(session);
        if (conference) {
          if (!live(member)) throw new ApiError('Conflict', `${callSid} is no longer on the call`);
          return {
            request: { command: 'hold', callSid, reason },
            what: `the hold of ${callSid}`,
            send: async (c) => void (await c.conferences(conference).participants(callSid).update({ hold: true })),
            expect: { kind: 'participant', conferenceSid: conference, callSid, hold: true },
          };
        }
        // No conference: the caller's leg leaves its <Dial> and waits in the session's hold queue.
        if (callSid !== session.callSid) throw new ApiError('Conflict', `Outside a conference only the caller's leg can be held; make a conference first (POST /sessions/${session.id}/conference)`);
        if (member.callState !== 'Connected') throw new ApiError('Conflict', `${callSid} is not connected; only a connected call can be held`);
        const hold = { sessionId: session.id!, holdId: newHoldId(), queueName: holdQueueName(session.id!) };
        const twiml = enqueueTwiml(base(context), hold, connectedAgent(session));
        return {
          request: { command: 'hold', callSid, reason, holdId: hold.holdId },
          what: `the hold of ${callSid}`,
          send: async (c) => void (await c.calls(callSid).update({ twiml })),
          expect: { kind: 'queue', callSid, queueName: hold.queueName, holdId: hold.holdId, hold: true },
        };
      });
      if (result.notActive) throw result.notActive;
      return body(result);
    },
  };
}

/** PATCH /sessions/{sessionId}/conference/members/{callSid}: a member's hold and mute, as desired states; unhold also takes a call out of the hold queue. */
export function patchConferenceMemberOperation(control: CallControl, base: CallbackBase): Operation<typeof PatchConferenceMember> {
  return {
    request: PatchConferenceMember,
    response: SessionInfoDto,
    routes: [{ path: '/sessions/{sessionId}/conference/members/{callSid}', verbs: ['PATCH'] }],
    access: { anyRole: AGENTS },
    description: 'Sets a conference member’s hold and mute (desired states: sending what already holds sends nothing to Twilio); hold false also takes a call parked in the hold queue back to an agent',
    async handle(input, context) {
      if (input.hold === undefined && input.muted === undefined) throw new ApiError('ValidationException', 'Send at least one of Hold, Muted.', [{ errorCode: 'NotEmpty', fieldName: 'Hold', message: 'Send at least one of Hold, Muted.' }]);
      const callSid = assertCallSid('CallSid', input.callSid ?? '');
      const result = await control.run(input.sessionId, context, async (session, accountId) => {
        assertLive(session, 'changing a member');
        const member = memberByCallSid(session, 'CallSid', callSid);
        const conference = liveConference(session);
        const now = await control.participantState(session, accountId, callSid);
        const hold = input.hold !== undefined && input.hold !== now.hold ? input.hold : undefined;
        if (!conference || !live(member)) {
          const queueName = holdQueueName(session.id!);
          const holdId = callSid === session.callSid ? await control.deps.ledger.latestQueueHold(accountId, session.id!, callSid) : undefined;
          if (!holdId || input.muted !== undefined || input.hold === true) throw new ApiError('Conflict', `${callSid} is not in a live conference`);
          // Parked in the hold queue (or on its way there): back to an agent; already off hold, nothing to send.
          if (hold !== false) return undefined;
          const to = await agentToResume(control, session, accountId, context);
          const url = holdResumeUrl(base(context), { sessionId: session.id!, holdId, queueName }, to.address);
          return {
            request: { command: 'unhold', callSid },
            what: `taking ${callSid} off hold`,
            send: async (c) => void (await c.calls(callSid).update({ url, method: 'POST' })),
            expect: { kind: 'queue', callSid, queueName, holdId, hold: false },
          };
        }
        const muted = input.muted !== undefined && input.muted !== now.muted ? input.muted : undefined;
        if (hold === undefined && muted === undefined) return undefined;
        const plans: CommandPlan[] = [];
        const update = { ...(hold !== undefined ? { hold } : {}), ...(muted !== undefined ? { muted } : {}) };
        // One request carries both changes; each is recorded as its own command.
        plans.push({
          request: { command: hold !== undefined ? (hold ? 'hold' : 'unhold') : muted ? 'mute' : 'unmute', callSid },
          what: `the change of ${callSid}`,
          send: async (c) => void (await c.conferences(conference).participants(callSid).update(update)),
          expect: { kind: 'participant', conferenceSid: conference, callSid, hold, muted },
        });
        if (hold !== undefined && muted !== undefined) plans.push({ request: { command: muted ? 'mute' : 'unmute', callSid }, what: `the change of ${callSid}`, send: async () => undefined });
        return plans;
      });
      if (result.notActive) throw result.notActive;
      return body(result);
    },
  };
}

/** POST /sessions/{sessionId}/redirect: blind transfer of the caller. */
export function redirectSessionOperation(control: CallControl, base: CallbackBase): Operation<typeof RedirectSession> {
  return {
    request: RedirectSession,
    routes: [{ path: '/sessions/{sessionId}/redirect', verbs: ['POST'] }],
    access: { anyRole: AGENTS },
    description: 'Blind transfer: the caller is dialled through to the destination (E.164, client:, sip: or an endpoint ID)',
    async handle(input, context) {
      if (input.callerId !== undefined && !E164.test(input.callerId)) throw validationError('CallerId', 'Predicate', "'Caller Id' must be an E.164 number.");
      const result = await control.run(input.sessionId, context, async (session, accountId) => {
        assertLive(session, 'a transfer');
        const destination = await resolveDestination('Destination', input.destination, (id) => control.deps.directory.addressOfEndpoint(accountId, id));
        const callSid = session.callSid;
        if (!callSid) throw new ApiError('Conflict', `Session '${session.id}' has no call to transfer`);
        const twiml = dialTwiml(destination, input.callerId, callCallback(base(context), session.id!));
        if (twiml.length > MAX_TWIML) throw validationError('Destination', 'MaximumLength', "'Destination' is too long.");
        return { request: { command: 'redirect', callSid, destination: destination.address }, what: `the transfer of ${callSid}`, send: async (c) => void (await c.calls(callSid).update({ twiml })) };
      });
      if (result.notActive) throw result.notActive;
      return undefined;
    },
  };
}

/** POST /sessions/{sessionId}/conference: the live legs move into a conference named after the session. */
export function makeConferenceOperation(control: CallControl, base: CallbackBase): Operation<typeof MakeConference> {
  return {
    request: MakeConference,
    response: SessionInfoDto,
    routes: [{ path: '/sessions/{sessionId}/conference', verbs: ['POST'] }],
    access: { anyRole: AGENTS },
    description: 'Moves the session’s live legs into a conference named after the session (nothing is sent when it is in one already)',
    async handle(input, context) {
      const result = await control.run(input.sessionId, context, async (session) => {
        assertLive(session, 'a conference');
        return liveConference(session) ? undefined : makeConferencePlans(session, base(context));
      });
      if (result.notActive) throw result.notActive;
      return body(result);
    },
  };
}

/** POST /sessions/{sessionId}/conference/members: dials a party into the conference (made first when needed). */
export function addConferenceMemberOperation(control: CallControl, base: CallbackBase): Operation<typeof AddConferenceMember> {
  return {
    request: AddConferenceMember,
    response: SessionInfoDto,
    routes: [{ path: '/sessions/{sessionId}/conference/members', verbs: ['POST'] }],
    access: { anyRole: AGENTS },
    description: 'Warm transfer or supervisor: dials the destination into the session’s conference, making the conference first when needed',
    async handle(input, context) {
      if (input.callSid) assertCallSid('CallSid', input.callSid);
      if (input.fromNumber !== undefined && !E164.test(input.fromNumber)) throw validationError('FromNumber', 'Predicate', "'From Number' must be an E.164 number.");
      const result = await control.run(input.sessionId, context, async (session, accountId) => {
        assertLive(session, 'adding a member');
        const destination = await resolveDestination('Destination', input.destination, (id) => control.deps.directory.addressOfEndpoint(accountId, id));
        if (input.callSid) memberByCallSid(session, 'CallSid', input.callSid);
        const from = input.fromNumber ?? (session.direction === 'Outgoing' ? session.fromAddress : session.toAddress);
        if (!from || !E164.test(from)) throw validationError('FromNumber', 'NotEmpty', "'From Number' must be given: the session has no number of ours to call from.");
        const callbacks = base(context);
        const plans = liveConference(session) ? [] : makeConferencePlans(session, callbacks);
        // Twilio takes the conference's friendly name where its SID is not known yet.
        const conference = liveConference(session) ?? session.id!;
        plans.push({
          request: { command: 'addMember', destination: destination.address },
          what: `dialling ${destination.address} into the conference`,
          send: async (c) => {
            const participant = await c.conferences(conference).participants.create({
              from,
              to: destination.address,
              label: destination.address,
              statusCallback: callCallback(callbacks, session.id!),
              statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
              conferenceStatusCallback: conferenceCallback(callbacks, session.id!),
              conferenceStatusCallbackEvent: ['start', 'end', 'join', 'leave', 'mute', 'hold'],
              endConferenceOnExit: false,
              beep: 'false',
            });
            return { createdCallSid: participant.callSid };
          },
        });
        return plans;
      });
      if (result.notActive) throw result.notActive;
      return body(result);
    },
  };
}

/** POST /sessions/{sessionId}/reject: the caller declines the leg ringing on their own device. No body. */
export function rejectSessionOperation(control: CallControl): Operation<typeof RejectSession> {
  return {
    request: RejectSession,
    response: SessionInfoDto,
    routes: [{ path: '/sessions/{sessionId}/reject', verbs: ['POST'] }],
    access: { anyRole: AGENTS },
    description: 'Declines the call offered to the caller’s own device: its ringing leg is canceled (no body)',
    async handle(input, context) {
      const result = await control.run(input.sessionId, context, async (session, accountId) => {
        assertLive(session, 'rejecting');
        const mine = await control.deps.directory.ownEndpointIds(accountId, context);
        const ringing = (session.members ?? []).filter((m) => m.callSid && m.callState === 'Ringing' && m.role !== 'Caller');
        const leg = ringing.find((m) => m.endpointId !== undefined && mine.includes(m.endpointId)) ?? (mine.length ? undefined : ringing.length === 1 ? ringing[0] : undefined);
        if (!leg?.callSid) throw new ApiError('Conflict', `No call of session '${session.id}' is ringing on your device`);
        const callSid = leg.callSid;
        return { request: { command: 'reject', callSid }, what: `canceling ${callSid}`, send: async (c) => void (await c.calls(callSid).update({ status: 'canceled' })), expect: { kind: 'call', callSid } };
      });
      if (result.notActive) throw result.notActive;
      return body(result);
    },
  };
}

/** POST /sessions/{sessionId}/record: a dual-channel recording of the caller's leg. No body. */
export function recordSessionOperation(control: CallControl, base: CallbackBase): Operation<typeof RecordSession> {
  return {
    request: RecordSession,
    response: SessionInfoDto,
    routes: [{ path: '/sessions/{sessionId}/record', verbs: ['POST'] }],
    access: { anyRole: AGENTS },
    description: 'Starts a dual-channel recording of the caller’s leg; the log shows it started and where it is once available (no body)',
    async handle(input, context) {
      const result = await control.run(input.sessionId, context, async (session, accountId) => {
        assertLive(session, 'recording');
        const callSid = session.callSid;
        if (!callSid) throw new ApiError('Conflict', `Session '${session.id}' has no call to record`);
        // Commands on a session run one at a time, so a record accepted just before is in the ledger already.
        const running = [...(await control.deps.ledger.recordings(accountId, session.id!))].filter(([, status]) => isRunningRecording(status)).map(([sid]) => sid);
        if (running.length) throw new ApiError('RecordingInProgress', `Session '${session.id}' is already being recorded (${running.join(', ')}); a new recording can start once it has stopped`);
        const callback = `${base(context)}/twilio/recording/status?sessionId=${encodeURIComponent(session.id!)}`;
        return {
          request: { command: 'record', callSid },
          what: `recording ${callSid}`,
          send: async (c) => {
            const recording = await c.calls(callSid).recordings.create({
              recordingStatusCallback: callback,
              recordingStatusCallbackEvent: ['in-progress', 'completed', 'absent'],
              recordingChannels: 'dual',
              recordingTrack: 'both',
            });
            return { recordingSid: recording.sid };
          },
        };
      });
      if (result.notActive) throw result.notActive;
      return body(result);
    },
  };
}

/** POST /sessions/outgoing: an outbound call; its session opens from Twilio's callbacks (the id is the CallSid's). */
export function newOutgoingSessionOperation(control: CallControl, base: CallbackBase): Operation<typeof NewOutgoingSession> {
  return {
    request: NewOutgoingSession,
    routes: [{ path: '/sessions/outgoing', verbs: ['POST'] }],
    access: { anyRole: ['Manager', 'SystemAdministrator'] },
    description: 'Places an outbound call from one of the account’s numbers; the session opens as Twilio reports the call (204)',
    async handle(input, context) {
      const accountId = accountFor(signedIn(context.caller), input.accountId);
      const to = input.numberToDial?.trim();
      if (!to) throw validationError('NumberToDial', 'NotEmpty', "'Number To Dial' must not be empty.");
      if (!E164.test(to)) throw validationError('NumberToDial', 'Predicate', "'Number To Dial' must be an E.164 number.");
      const numbers = await control.deps.directory.numbersOf(accountId);
      const from = input.callerId ?? numbers[0];
      if (!from) throw validationError('CallerId', 'NotEmpty', "'Caller Id' must be given: the account has no phone number.");
      if (!numbers.includes(from)) throw validationError('CallerId', 'Predicate', "'Caller Id' must be one of the account's numbers.");
      const callbacks = base(context);
      const answerUrl = `${callbacks}/twilio/voice${input.flowId ? `?flowId=${encodeURIComponent(input.flowId)}` : ''}`;
      await control.sendNew(
        accountId,
        context,
        {
          request: { command: 'outgoing', destination: to },
          what: `the call to ${to}`,
          send: async (c) => {
            const call = await c.calls.create({ to, from, url: answerUrl, statusCallback: `${callbacks}/twilio/voice/status`, statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'] });
            return { createdCallSid: call.sid };
          },
        },
      );
      return undefined;
    },
  };
}

/** GET /calls/active?accountId=: the account's live calls, from Twilio. */
export function getActiveCallsOperation(control: CallControl): Operation<typeof GetActiveCalls> {
  return {
    request: GetActiveCalls,
    response: GetActiveCallsResponse,
    routes: [{ path: '/calls/active', verbs: ['GET'] }],
    access: { anyRole: ['SystemAdministrator', 'Manager', 'CallCenterDashboard'] },
    description: 'The account’s calls ringing or in progress, from Twilio’s Calls list, as CallInfo',
    async handle(input, context) {
      const accountId = accountFor(signedIn(context.caller), input.accountId);
      const calls = await control.listCalls(accountId, ['in-progress', 'ringing']);
      return { calls: calls.map(callInfoOf) };
    },
  };
}
