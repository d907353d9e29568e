import { defineEnum } from './dto.js';

const SESSIONS = 'Voice.Api.Sessions';

// Declaration order is the .NET order: the first value is the default (0) and the metadata sample's value.
export const SessionDialState = defineEnum('SessionDialState', SESSIONS, ['None', 'Active']);
export const SessionCallState = defineEnum('SessionCallState', SESSIONS, [
  'Disconnected',
  'Ringing',
  'Connected',
  'Hold',
  'Passive',
]);
export const SessionQueueStates = defineEnum('SessionQueueStates', SESSIONS, [
  'None',
  'Queued',
  'Ringing',
  'Connected',
  'Hold',
  'Disconnected',
]);
export const FlowChannels = defineEnum('FlowChannels', 'Voice.Api.Flows', ['Voice', 'Chat', 'Fax']);
export const SessionHoldReasons = defineEnum('SessionHoldReasons', SESSIONS, ['None', 'Transferring']);
export const SessionMemberCallState = defineEnum('SessionMemberCallState', SESSIONS, [
  'None',
  'Ringing',
  'Connected',
  'Hold',
]);
export const SessionMemberRoles = defineEnum('SessionMemberRoles', SESSIONS, ['None', 'Caller', 'Agent', 'Transfer']);
export const SessionDirections = defineEnum('SessionDirections', SESSIONS, ['Incoming', 'Outgoing']);
