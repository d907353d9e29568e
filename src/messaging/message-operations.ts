import { accountScope, signedIn } from '../directory/tenancy.js';
import { listResponse, pageOf } from '../directory/list-paging.js';
import type { Party } from '../events/session-event.js';
import { validationError } from '../http/errors.js';
import type { Operation } from '../http/operation.js';
import { StoredBody } from '../http/stored-body.js';
import { SessionInfo as SessionInfoDto } from '../model/session-info.js';
import { E164 } from '../control/destinations.js';
import {
  DeleteChatMember,
  GetChatTranscript,
  GetChatTranscriptResponse,
  InviteChatMember,
  ListConversations,
  ListConversationsResponse,
  ListMessages,
  ListMessagesResponse,
  MessageInfo,
  SendMessage,
} from './message-dtos.js';
import { conversationIdOf, conversationKeyOf, type ConversationKey, type StoredMessage } from './messages-repository.js';
import { MAX_MESSAGE_LENGTH, type Messaging } from './messaging.js';

const AGENTS = ['User', 'Manager'] as const;

/** Most messages a transcript or the conversation list reads; a thread of more is cut to its latest. */
const MAX_THREAD = 5000;

/** How far back a transcript's earlier conversations may go (the contract: at most 6 months). */
const HISTORY_MONTHS = 6;

/** A stored message as Evo's MessageInfo. */
export function messageInfoOf(m: StoredMessage) {
  const incoming = m.direction === 'Incoming';
  return {
    id: m.message.messageSid,
    accountId: m.accountId,
    customerId: m.customerId,
    endpointId: m.endpointId,
    endpointDisplayName: m.endpointName,
    date: m.occurredAt,
    direction: m.direction,
    otherAddress: incoming ? m.message.from : m.message.to,
    sender: m.message.sender ?? (incoming ? m.message.from : m.message.to),
    text: m.message.body,
    isUnread: m.unread,
  };
}

function bodyOf(body: string | undefined): string {
  if (!body || body.trim() === '') throw validationError('Body', 'NotEmpty', "'Body' must not be empty.");
  if (body.length > MAX_MESSAGE_LENGTH) throw validationError('Body', 'MaximumLength', `'Body' must be ${MAX_MESSAGE_LENGTH} characters or fewer.`);
  return body;
}

function dateOf(field: string, text: string | undefined): Date | undefined {
  if (text === undefined || text === '') return undefined;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw validationError(field, 'Predicate', `'${field.replace(/([a-z])([A-Z])/g, '$1 $2')}' must be a date.`);
  return new Date(ms);
}

/** POST /sessions/{sessionId}/messages, and POST /messages by endpointId + toAddress: a text through Twilio. */
export function sendMessageOperation(messaging: Messaging): Operation<typeof SendMessage> {
  return {
    request: SendMessage,
    response: MessageInfo,
    // GET /messages is ListMessages: an explicit verb wins over ServiceStack's any-verb route (§1b).
    routes: [
      { path: '/sessions/{sessionId}/messages', verbs: ['POST'] },
      { path: '/messages', verbs: ['POST', 'PUT'] },
    ],
    access: { anyRole: AGENTS },
    description: 'Sends a text (SMS) from the session’s number, or from an endpoint to an address; delivery shows in the session log as Twilio reports it',
    async handle(input, context) {
      if (input.sessionId) {
        const { stored, session } = await messaging.chatSession(input.sessionId, context);
        const body = bodyOf(input.body);
        const target = messaging.targetOf(stored.accountId, session);
        return messageInfoOf(await messaging.send(target, body, context));
      }
      const found = await messaging.endpointTarget(input.endpointId, input.toAddress, context);
      const body = bodyOf(input.body);
      const sent = await messaging.deps.chats.serialized(found.accountId, found.key, async () => messaging.send(await messaging.sessionForEndpoint(found), body, context));
      return messageInfoOf(sent);
    },
  };
}

/** GET /sessions/{sessionId}/transcript: the texts, oldest first; with includeHistorical, earlier chats with the same party too. */
export function getChatTranscriptOperation(messaging: Messaging): Operation<typeof GetChatTranscript> {
  return {
    request: GetChatTranscript,
    response: GetChatTranscriptResponse,
    routes: [{ path: '/sessions/{sessionId}/transcript', verbs: ['GET'] }],
    access: { anyRole: AGENTS },
    description: 'The chat’s texts, oldest first (an MMS gives a line per medium); includeHistorical adds earlier chats with the same party, back to historicalCutOffDate (at most 6 months)',
    async handle(input, context) {
      const { stored, session } = await messaging.chatSession(input.sessionId, context);
      const sessionIds = [stored.id];
      if (input.includeHistorical) {
        const limit = messaging.deps.now();
        limit.setUTCMonth(limit.getUTCMonth() - HISTORY_MONTHS);
        const cutOff = dateOf('HistoricalCutOffDate', input.historicalCutOffDate) ?? limit;
        // Compared by day: a client computing "6 months ago" a moment before us must not be refused.
        if (cutOff.toISOString().slice(0, 10) < limit.toISOString().slice(0, 10)) {
          throw validationError('HistoricalCutOffDate', 'GreaterThanOrEqual', `'Historical Cut Off Date' must be at most ${HISTORY_MONTHS} months back (${limit.toISOString().slice(0, 10)} or later).`);
        }
        const other = session.direction === 'Outgoing' ? session.toAddress : session.fromAddress;
        if (session.endpointId && other) {
          const earlier = await messaging.deps.chats.messages.chatSessions(stored.accountId, { endpointId: session.endpointId, otherAddress: other }, { since: cutOff.toISOString() });
          for (const s of earlier) if (s.id !== stored.id) sessionIds.push(s.id);
        }
      }
      const { items } = await messaging.deps.chats.messages.page({ accountIds: [stored.accountId], sessionIds }, 0, MAX_THREAD, true);
      type Line = { date: string; from: string; body?: string; mediaUri?: string; mediaContentType?: string };
      const messages = items.flatMap((m): Line[] => {
        const line: Line = { date: m.occurredAt, from: m.message.from, body: m.message.body };
        if (!m.message.media?.length) return [line];
        return m.message.media.map((medium, i) => ({ ...(i === 0 ? line : { date: line.date, from: line.from }), mediaUri: medium.url, mediaContentType: medium.contentType }));
      });
      return { messages };
    },
  };
}

function conversationsOf(ids: readonly string[] | undefined, field = 'ConversationIds'): ConversationKey[] | undefined {
  return ids?.map((id) => {
    const key = conversationKeyOf(id);
    if (!key) throw validationError(field, 'Predicate', `'${field.replace(/([a-z])([A-Z])/g, '$1 $2')}' has an id that is not a conversation: ${id}`);
    return key;
  });
}

/** GET /messages: texts of the caller's accounts, newest first, paged like every list. */
export function listMessagesOperation(messaging: Messaging): Operation<typeof ListMessages> {
  return {
    request: ListMessages,
    response: ListMessagesResponse,
    routes: [{ path: '/messages', verbs: ['GET'] }],
    description: 'Lists text messages, newest first (sortOrder Ascend: oldest first)',
    async handle(input, context) {
      const accountIds = accountScope(signedIn(context.caller), input.accountIds);
      const page = pageOf(input, ['date']);
      const after = dateOf('AfterDate', input.afterDate);
      const result = await messaging.deps.chats.messages.page(
        { accountIds, customerIds: input.customerIds, endpointIds: input.endpointIds, conversations: conversationsOf(input.conversationIds), messageSids: input.specificIds, after: after?.toISOString() },
        page.offset,
        page.limit,
        input.sortOrder === 'Ascend',
      );
      return listResponse(input, page, { items: result.items.map(messageInfoOf), total: result.total });
    },
  };
}

/**
 * GET /conversations: one line per (endpoint, party), with its most recent text, paged like every
 * list. Evo answers `{conversations}`; the page's totals sit beside it as ListResponse names them.
 */
export function listConversationsOperation(messaging: Messaging): Operation<typeof ListConversations> {
  return {
    request: ListConversations,
    response: ListConversationsResponse,
    routes: [{ path: '/conversations', verbs: ['GET'] }],
    description: 'Lists conversations (an endpoint and the other party), most recent first, each with its most recent message; sortField date (default, newest first), otherAddress or endpointId',
    async handle(input, context) {
      const accountIds = accountScope(signedIn(context.caller), input.accountIds);
      const page = pageOf(input, ['date', 'otherAddress', 'endpointId']);
      const after = dateOf('AfterDate', input.afterDate);
      const specific = input.specificIds?.length ? conversationsOf(input.specificIds, 'SpecificIds') : undefined;
      // Newest first by default; names and ids A→Z unless Descend is asked for.
      const descending = page.sortBy === 'date' ? input.sortOrder !== 'Ascend' : page.descending;
      const result = await messaging.deps.chats.messages.conversations(
        { accountIds, customerIds: input.customerIds, endpointIds: input.endpointIds, conversations: specific, after: after?.toISOString() },
        { sortBy: page.sortBy, descending, offset: page.offset, limit: page.limit },
      );
      const conversations = result.items.map((c) => ({ id: conversationIdOf(c.key), endpointId: c.key.endpointId, otherAddress: c.key.otherAddress, mostRecentMessage: messageInfoOf(c.mostRecent) }));
      const { items, ...totals } = listResponse(input, page, { items: conversations, total: result.total });
      return { conversations: items, ...totals };
    },
  };
}

/** POST /sessions/{sessionId}/members: a cell number is texted an invitation; a user (id or email) or an email joins. */
export function inviteChatMemberOperation(messaging: Messaging): Operation<typeof InviteChatMember> {
  return {
    request: InviteChatMember,
    response: SessionInfoDto,
    routes: [{ path: '/sessions/{sessionId}/members', verbs: ['POST'] }],
    access: { anyRole: AGENTS },
    description: 'Adds a member to a chat: a cell number (E.164) is texted an invitation from the session’s number (or callerId), a user or email joins',
    async handle(input, context) {
      const { stored, session } = await messaging.chatSession(input.sessionId, context);
      const member = input.memberToAdd?.trim();
      if (!member) throw validationError('MemberToAdd', 'NotEmpty', "'Member To Add' must not be empty.");
      let party: Party;
      if (E164.test(member)) {
        const target = messaging.targetOf(stored.accountId, session);
        if (input.callerId !== undefined && !(await messaging.deps.people.numbersOf(stored.accountId)).includes(input.callerId)) {
          throw validationError('CallerId', 'Predicate', "'Caller Id' must be one of the account's numbers.");
        }
        const body = `You are invited to a conversation with ${target.other}. Reply to this number to join.`;
        await messaging.send(target, body, context, { to: member, from: input.callerId, invitation: true });
        // The member replies to the number the invitation came from: its endpoint is where the reply is looked for.
        const via = input.callerId ? (await messaging.deps.directory.endpointByAddress(stored.accountId, input.callerId))?.id : session.endpointId;
        if (via) await messaging.deps.chats.messages.invited(stored.accountId, { endpointId: via, otherAddress: member }, stored.id, messaging.deps.now().toISOString());
        party = { identity: member, displayName: member, role: 'Transfer' };
      } else {
        party = await partyOf(messaging, stored.accountId, member);
      }
      return new StoredBody((await messaging.record(stored.accountId, stored.id, { type: 'MemberJoined', party }, context)).json, stored.id);
    },
  };
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** A user of the account (User endpoint by id, email or identity; or a signed-in user by id or email), else an email address. */
async function partyOf(messaging: Messaging, accountId: string, member: string): Promise<Party> {
  const db = messaging.deps.db;
  const endpoint = await db
    .selectFrom('endpoints')
    .select(['id', 'identity', 'email', 'display_name', 'avatar_url'])
    .where('account_id', '=', accountId)
    .where('type', '=', 'User')
    .where((eb) => eb.or([eb('id', '=', member), eb('email', '=', member), eb('identity', '=', member)]))
    .orderBy('id')
    .executeTakeFirst();
  if (endpoint) {
    return { identity: endpoint.identity ?? endpoint.email ?? endpoint.id, endpointId: endpoint.id, displayName: endpoint.display_name, avatarUrl: endpoint.avatar_url ?? undefined, role: 'Agent' };
  }
  const user = await db
    .selectFrom('users as u')
    .innerJoin('user_accounts as a', 'a.user_id', 'u.id')
    .select(['u.email', 'u.display_name', 'u.first_name', 'u.last_name'])
    .where('a.account_id', '=', accountId)
    .where((eb) => eb.or([eb('u.id', '=', member), eb('u.email', '=', member)]))
    .executeTakeFirst();
  if (user) return { identity: user.email, displayName: user.display_name || [user.first_name, user.last_name].filter(Boolean).join(' ') || user.email, role: 'Agent' };
  if (EMAIL.test(member)) return { identity: member, displayName: member, role: 'Transfer' };
  throw validationError('MemberToAdd', 'Predicate', "'Member To Add' must be a cell number (E.164), a user of the account, or an email address.");
}

/** DELETE /sessions/{sessionId}/members/{memberId}: the member leaves the chat; clients send the member in the path only. */
export function deleteChatMemberOperation(messaging: Messaging): Operation<typeof DeleteChatMember> {
  return {
    request: DeleteChatMember,
    response: SessionInfoDto,
    routes: [{ path: '/sessions/{sessionId}/members/{memberId}', verbs: ['DELETE'] }],
    access: { anyRole: AGENTS },
    description: 'Removes a member from a chat; the member is the path segment (clients send no query), or ?memberToRemove= (both, and different: 400)',
    async handle(input, context) {
      const { stored, session } = await messaging.chatSession(input.sessionId, context);
      const fromPath = (context.http.params as Record<string, string | undefined>).memberId;
      if (fromPath && input.memberToRemove && fromPath !== input.memberToRemove) {
        throw validationError('MemberToRemove', 'Predicate', "'Member To Remove' and the member in the path differ.");
      }
      const wanted = fromPath ?? input.memberToRemove;
      if (!wanted) throw validationError('MemberToRemove', 'NotEmpty', "'Member To Remove' must not be empty.");
      const member = session.members?.find((m) => m.callSid === undefined && (m.identity === wanted || m.endpointId === wanted) && m.callState !== 'None');
      if (!member) throw validationError('MemberToRemove', 'NotAMember', `'Member To Remove' ${wanted} is not a member of this chat.`);
      const party: Party = { identity: member.identity, displayName: member.displayName };
      const after = await messaging.record(stored.accountId, stored.id, { type: 'MemberLeft', party }, context);
      // No longer a member: the number's texts go to its own conversation, and nothing is relayed to it.
      if (member.identity) await messaging.deps.chats.messages.uninvited(stored.accountId, member.identity, stored.id);
      return new StoredBody(after.json, stored.id);
    },
  };
}

/** The messaging operations, in the order the metadata lists them. */
export function messagingOperations(messaging: Messaging): Operation[] {
  return [
    sendMessageOperation(messaging),
    getChatTranscriptOperation(messaging),
    listMessagesOperation(messaging),
    listConversationsOperation(messaging),
    inviteChatMemberOperation(messaging),
    deleteChatMemberOperation(messaging),
  ];
}
