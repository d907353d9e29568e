import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { defineDto, StringMap } from './dto.js';
import {
  FlowChannels,
  SessionCallState,
  SessionDialState,
  SessionDirections,
  SessionHoldReasons,
  SessionMemberCallState,
  SessionMemberRoles,
  SessionQueueStates,
} from './enums.js';

// Every member of a .NET reference type may be null; JSON leaves nulls out, so all are optional.
const opt = <T extends TSchema>(schema: T, description?: string) =>
  Type.Optional(description ? { ...schema, description } : schema);
const str = (description?: string) => opt(Type.String(), description);
const bool = (description?: string) => opt(Type.Boolean(), description);

export const EntityInfo = defineDto(
  { name: 'EntityInfo', namespace: 'Voice.Api' },
  {
    id: str('The ID of the object'),
    dateCreated: str('The date the object was created'),
    dateLastModified: str('The date the object was last modified'),
    createdBy: str('The user that created this object'),
    lastModifiedBy: str('The user that last modified this object'),
  },
);

export const CustomerBreadcrumb = defineDto(
  { name: 'CustomerBreadcrumb', namespace: 'Voice.Api.Customers' },
  { id: str(), name: str() },
);

export const SessionLogInfo = defineDto(
  { name: 'SessionLogInfo', namespace: 'Voice.Api.Sessions' },
  { date: str(), message: str() },
);

export const SessionMemberInfo = defineDto(
  { name: 'SessionMemberInfo', namespace: 'Voice.Api.Sessions' },
  {
    identity: str(),
    endpointId: str(),
    displayName: str(),
    isOriginalMember: bool(),
    avatarUrl: str(),
    applicationData: opt(StringMap()),
    callState: opt(SessionMemberCallState.schema),
    role: opt(SessionMemberRoles.schema),
    callSid: str(),
    muted: bool(),
  },
);

export const SessionInfo = defineDto(
  { name: 'SessionInfo', namespace: 'Voice.Api.Sessions', base: EntityInfo },
  {
    dialState: opt(SessionDialState.schema, 'The state of the session'),
    callState: opt(SessionCallState.schema, 'The call state of the session'),
    queueState: opt(SessionQueueStates.schema, 'The queue state of the session'),
    accountId: str('The ID of the account associated with the flow'),
    accountName: str('The name of the account associated with the session'),
    customerId: str('The ID of the customer this session is associated with'),
    customerBreadcrumb: opt(
      Type.Array(CustomerBreadcrumb.schema),
      'The customer breadcrumb this session is associated with',
    ),
    customerName: str('The name of the customer this session is associated with'),
    endpointId: str('The ID of the endpoint associated with this session'),
    endpointName: str('The name of the endpoint associated with this session'),
    dateCompleted: str('The date the call completed'),
    destination: str('The destination of the session (e.g. what was entered into the Dial box)'),
    toAddress: str('The to address if any'),
    fromAddress: str('The from address if any'),
    fromName: str('The from name if any'),
    answeredByName: str('Answered by name (if any)'),
    queueMemberId: str('The ID of the queue member assigned to this call'),
    channel: opt(FlowChannels.schema, 'The flow channel'),
    ended: bool('Has the session ended'),
    outcome: str('The outcome of the call'),
    callSid: str('The twilio Call SID of this session'),
    consoleData: str('Any console data for this session'),
    holdQueueName: str('The name of the hold queue for this call'),
    heldByUserId: str('The user ID who put this call on hold'),
    holdReason: opt(SessionHoldReasons.schema, 'The reason for the hold'),
    conferenceSid: str('The SID of the conference if in a conference call'),
    displayName: str('The display name for this session'),
    log: opt(Type.Array(SessionLogInfo.schema), 'The log entries for this session'),
    members: opt(Type.Array(SessionMemberInfo.schema), 'The members of this session'),
    callbackNumber: str('The callback number (typically used for SIP to User calls)'),
    answeredById: str('The ID of the endpoint that answered'),
    direction: opt(SessionDirections.schema, 'Is this session incoming or outgoing?'),
    fromPhoneNumber: str('The phone number that this session is coming from (used with SMS chats)'),
    mostRecentParticipantCallSid: str('The Call SID of the most recently added conference participant'),
    wasMissed: bool('Was this session missed?'),
    ringQueueId: str('The ring queue that the call is currently in'),
  },
);

export type SessionInfo = Static<typeof SessionInfo.schema>;
export type SessionMemberInfo = Static<typeof SessionMemberInfo.schema>;
export type SessionLogInfo = Static<typeof SessionLogInfo.schema>;
