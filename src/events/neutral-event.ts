import { Type, type Static } from '@sinclair/typebox';
import { defineDto, StringMap } from '../model/dto.js';

/**
 * One provider-neutral event (docs/events.md): a stable id per source (a retry repeats it), the
 * session it belongs to (our `sessionId`, or the provider's own `sessionKey`), its type, when it
 * happened and, if the provider counts them, its sequence. `data` holds the type's fields as text.
 */
export const NeutralEvent = defineDto(
  { name: 'SessionEventInfo', namespace: 'Voice.Api.Sessions' },
  {
    id: Type.Optional(Type.String({ description: 'Stable event id, unique within its source' })),
    source: Type.Optional(Type.String({ description: 'Who sent it: jambonz, freeswitch, my-chat-app…' })),
    sessionId: Type.Optional(Type.String({ description: 'The Switchboard session id, when known' })),
    sessionKey: Type.Optional(Type.String({ description: "The provider's own key for the session (call id, conversation id)" })),
    type: Type.Optional(Type.String({ description: 'SessionStarted, CallLegStatus, QueueEntered, MemberJoined…' })),
    occurredAt: Type.Optional(Type.String({ description: 'ISO-8601 time the event happened at the provider' })),
    sequence: Type.Optional(Type.Integer({ description: 'Provider sequence number within the session, if any' })),
    data: Type.Optional(StringMap('The fields of the event type, as text')),
  },
);

export const PostSessionEvents = defineDto(
  { name: 'PostSessionEvents', namespace: 'Voice.Api.Sessions', description: 'Ingests a batch of provider-neutral session events' },
  {
    accountId: Type.Optional(Type.String({ description: 'The account the events belong to' })),
    events: Type.Optional(Type.Array(NeutralEvent.schema, { description: 'The events, in any order' })),
  },
);

export const PostSessionEventsResponse = defineDto(
  { name: 'PostSessionEventsResponse', namespace: 'Voice.Api.Sessions' },
  {
    accepted: Type.Optional(Type.Integer({ description: 'Events stored by this request' })),
    duplicates: Type.Optional(Type.Integer({ description: 'Events already stored (retries): acknowledged, nothing changed' })),
    sessionIds: Type.Optional(Type.Array(Type.String(), { description: 'The sessions the events belong to' })),
  },
);

export type NeutralEventInput = Static<typeof NeutralEvent.schema>;
