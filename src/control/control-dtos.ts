import { Type } from '@sinclair/typebox';
import { defineDto } from '../model/dto.js';
import { SessionHoldReasons } from '../model/enums.js';

const str = (description: string) => Type.Optional(Type.String({ description }));
const bool = (description: string) => Type.Optional(Type.Boolean({ description }));
const SESSIONS = 'Voice.Api.Sessions';

// Evo Voice publishes EndSession, HoldSession, RedirectSession, NewOutgoingSession,
// AddConferenceMember and GetActiveCalls (call-control-and-messaging.md §1a). MakeConference,
// PatchConferenceMember, RejectSession and RecordSession are known only from the requests clients
// send; their names and fields are Switchboard's.

export const EndSession = defineDto(
  { name: 'EndSession', namespace: SESSIONS, description: 'Hangs up a session (or one of its legs); an ended session is a 204 with nothing sent' },
  { sessionId: str('The ID of the session'), callSid: str('The local call ID (one leg); default: the whole session') },
);

export const HoldSession = defineDto(
  { name: 'HoldSession', namespace: SESSIONS, description: 'Puts the caller (or the given leg) on hold; the session shows Hold when Twilio confirms it' },
  { sessionId: str('The ID of the session'), callSid: str('The local call SID (default: the caller)'), reason: Type.Optional(SessionHoldReasons.schema) },
);

export const PatchConferenceMember = defineDto(
  { name: 'PatchConferenceMember', namespace: SESSIONS, description: 'Holds, unholds, mutes or unmutes a conference member; unhold also takes a call out of the session’s hold queue' },
  { sessionId: str('The ID of the session'), callSid: str('The member’s call SID'), hold: bool('Hold (true) or take off hold (false)'), muted: bool('Mute (true) or unmute (false)') },
);

export const RedirectSession = defineDto(
  { name: 'RedirectSession', namespace: SESSIONS, description: 'Blind transfer: sends the caller to a number, a client: identity, a sip: URI or an endpoint' },
  { sessionId: str('The ID of the session'), destination: str('E.164 number, client:identity, sip:URI or an endpoint ID'), callerId: str('The caller ID to present') },
);

export const MakeConference = defineDto(
  { name: 'MakeConference', namespace: SESSIONS, description: 'Moves the session’s live legs into a conference named after the session' },
  { sessionId: str('The ID of the session') },
);

export const AddConferenceMember = defineDto(
  { name: 'AddConferenceMember', namespace: SESSIONS, description: 'Dials a party into the session’s conference (made first if needed): warm transfer, supervisor' },
  {
    sessionId: str('The ID of the session'),
    callSid: str('The active call on the agent’s voice device'),
    destination: str('The party to invite: E.164 number, client:identity, sip:URI or an endpoint ID'),
    fromNumber: str('The caller ID to present'),
  },
);

export const RejectSession = defineDto(
  { name: 'RejectSession', namespace: SESSIONS, description: 'Declines the call offered to the caller’s own device (its ringing leg is canceled)' },
  { sessionId: str('The ID of the session') },
);

export const RecordSession = defineDto(
  { name: 'RecordSession', namespace: SESSIONS, description: 'Starts a dual-channel recording of the caller’s leg' },
  { sessionId: str('The ID of the session') },
);

export const NewOutgoingSession = defineDto(
  { name: 'NewOutgoingSession', namespace: SESSIONS, description: 'Places an outbound call for the account; its session opens from Twilio’s callbacks' },
  {
    flowId: str('The flow to run once the call is answered'),
    numberToDial: str('The E.164 number to dial'),
    callerId: str('An E.164 number of the account to call from (default: one of its numbers)'),
    accountId: str('The account to call for (default: the caller’s only account)'),
  },
);

export const CallInfo = defineDto(
  { name: 'CallInfo', namespace: SESSIONS, description: 'A Twilio call, as Twilio’s Calls list gives it, in camelCase' },
  {
    accountSid: str('The Twilio account'),
    answeredBy: str('human, machine_start, …'),
    callerName: str('Caller name (CNAM)'),
    dateCreated: str('RFC 2822'),
    dateUpdated: str('RFC 2822'),
    direction: str('inbound, outbound-api, outbound-dial'),
    duration: Type.Optional(Type.Integer({ description: 'Seconds' })),
    endTime: str('RFC 2822'),
    forwardedFrom: str('Forwarding number'),
    from: str('From'),
    fromFormatted: str('From, formatted'),
    parentCallSid: str('The parent leg'),
    phoneNumberSid: str('The number resource'),
    price: Type.Optional(Type.Number({ description: 'Price (0 until Twilio prices the call)' })),
    priceUnit: str('Currency'),
    sid: str('Call SID'),
    startTime: str('RFC 2822'),
    status: str('queued, ringing, in-progress, …'),
    to: str('To'),
    toFormatted: str('To, formatted'),
    uri: str('Twilio resource URI'),
  },
);

export const GetActiveCalls = defineDto(
  { name: 'GetActiveCalls', namespace: SESSIONS, description: 'The account’s calls in progress, from Twilio' },
  { accountId: str('The account') },
);

export const GetActiveCallsResponse = defineDto(
  { name: 'GetActiveCallsResponse', namespace: SESSIONS, description: 'Calls in progress' },
  { calls: Type.Optional(Type.Array(CallInfo.schema)) },
);
