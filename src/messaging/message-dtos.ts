import { Type, type Static } from '@sinclair/typebox';
import { defineDto, defineEnum } from '../model/dto.js';
import { ListRequest } from '../model/list-request.js';
import { listResponseOf } from '../model/list-response.js';

const str = (description: string) => Type.Optional(Type.String({ description }));
const list = (description: string) => Type.Optional(Type.Array(Type.String(), { description }));
const SESSIONS = 'Voice.Api.Sessions';
const MESSAGING = 'Voice.Api.Messaging';

// Evo Voice publishes all of these (call-control-and-messaging.md §1b, §1c): MessageInfo and
// ConversationInfo live in Voice.Api.Messaging, ChatTranscriptMessage in Voice.Api.Sessions.

export const MessageDirections = defineEnum('MessageDirections', MESSAGING, ['Incoming', 'Outgoing']);

export const MessageInfo = defineDto(
  { name: 'MessageInfo', namespace: MESSAGING, description: 'A text message (SMS/MMS) in or out of a chat session' },
  {
    id: str('The message ID (Twilio’s MessageSid)'),
    accountId: str('The account'),
    customerId: str('The customer of the endpoint'),
    endpointId: str('The endpoint (phone number) the message went through'),
    endpointDisplayName: str('The endpoint’s name'),
    date: str('When it was sent or received (ISO-8601 UTC)'),
    direction: Type.Optional(MessageDirections.schema),
    otherAddress: str('The other party’s address'),
    sender: str('Who sent it: the agent’s name for an outgoing message, the address for an incoming one'),
    text: str('The text'),
    isUnread: Type.Optional(Type.Boolean({ description: 'An incoming message no outgoing message has answered yet' })),
  },
);

export type MessageInfo = Static<typeof MessageInfo.schema>;

export const ConversationInfo = defineDto(
  { name: 'ConversationInfo', namespace: MESSAGING, description: 'The texts between one endpoint and one other party' },
  {
    id: str('The conversation ID'),
    endpointId: str('The endpoint'),
    otherAddress: str('The other party’s address'),
    mostRecentMessage: Type.Optional(MessageInfo.schema),
  },
);

export const ChatTranscriptMessage = defineDto(
  { name: 'ChatTranscriptMessage', namespace: SESSIONS, description: 'One line of a chat transcript (an MMS gives a line per medium)' },
  {
    date: str('When (ISO-8601 UTC)'),
    from: str('The address that sent it'),
    body: str('The text'),
    mediaUri: str('The medium’s URL (MMS)'),
    mediaContentType: str('The medium’s content type'),
  },
);

export type ChatTranscriptMessage = Static<typeof ChatTranscriptMessage.schema>;

export const SendMessage = defineDto(
  { name: 'SendMessage', namespace: SESSIONS, description: 'Sends a text in a chat session, or to an address from an endpoint' },
  {
    sessionId: str('The chat session (endpointId and toAddress are ignored when it is set)'),
    endpointId: str('The phone-number endpoint to send from, when there is no session yet'),
    toAddress: str('The number to send to, e.g. +15556667777, when there is no session yet'),
    body: str('The text'),
  },
);

export const GetChatTranscript = defineDto(
  { name: 'GetChatTranscript', namespace: SESSIONS, description: 'The texts of a chat session, and optionally of earlier ones with the same party' },
  {
    sessionId: str('The chat session'),
    includeHistorical: Type.Optional(Type.Boolean({ description: 'Include earlier conversations with the same party' })),
    historicalCutOffDate: str('How far back earlier conversations go (at most 6 months; default 6 months)'),
  },
);

export const GetChatTranscriptResponse = defineDto(
  { name: 'GetChatTranscriptResponse', namespace: SESSIONS, description: 'A chat transcript, oldest first' },
  { messages: Type.Optional(Type.Array(ChatTranscriptMessage.schema, { description: 'The lines, oldest first' })) },
);

export const InviteChatMember = defineDto(
  { name: 'InviteChatMember', namespace: SESSIONS, description: 'Adds a member to a chat: a cell number is texted an invitation, a user or email joins' },
  {
    sessionId: str('The chat session'),
    memberToAdd: str('A cell number (E.164), or a user’s ID or email'),
    callerId: str('The number to text the invitation from (default: the session’s)'),
  },
);

export const DeleteChatMember = defineDto(
  { name: 'DeleteChatMember', namespace: SESSIONS, description: 'Removes a member from a chat (the member may be given in the path only)' },
  { sessionId: str('The chat session'), memberToRemove: str('The member: its identity (number, email) or endpoint ID') },
);

export const ListMessages = defineDto(
  { name: 'ListMessages', namespace: MESSAGING, base: ListRequest, description: 'Lists text messages, newest first' },
  {
    accountIds: list('The accounts (default: every account you may see)'),
    customerIds: list('Only these customers’ messages'),
    endpointIds: list('Only messages through these endpoints'),
    conversationIds: list('Only these conversations'),
    afterDate: str('Only messages after this time (ISO-8601)'),
  },
);

export const ListMessagesResponse = listResponseOf(MessageInfo);

export const ListConversations = defineDto(
  { name: 'ListConversations', namespace: MESSAGING, base: ListRequest, description: 'Lists conversations (endpoint and other party), most recent first; specificIds are conversation IDs' },
  {
    accountIds: list('The accounts (default: every account you may see)'),
    endpointIds: list('Only conversations of these endpoints'),
    customerIds: list('Only these customers’ conversations'),
    afterDate: str('Only conversations with a message after this time (ISO-8601)'),
  },
);

export const ListConversationsResponse = defineDto(
  { name: 'ListConversationsResponse', namespace: MESSAGING, description: 'Conversations, most recent first' },
  {
    conversations: Type.Optional(Type.Array(ConversationInfo.schema, { description: 'The conversations on this page' })),
    // ListRequest paging (a Switchboard addition to Evo's response), as ListResponse names it; .NET ints, 0 with simplifiedPaging.
    totalCount: Type.Optional(Type.Integer({ description: 'How many conversations match, on every page (0 with simplifiedPaging)', default: 0 })),
    totalPages: Type.Optional(Type.Integer({ description: 'How many pages there are (0 with simplifiedPaging)', default: 0 })),
    hasMorePages: Type.Optional(Type.Boolean({ description: 'Whether a page follows this one' })),
  },
);
