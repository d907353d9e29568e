import type { Kysely } from 'kysely';
import { randomUUID } from 'node:crypto';
import type { ControlDirectory } from '../control/control-directory.js';
import { E164 } from '../control/destinations.js';
import { mayUse, notVisible, signedIn, visibleRecord } from '../directory/tenancy.js';
import type { DirectoryReads } from '../events/directory-reads.js';
import type { SessionWriter } from '../events/session-writer.js';
import type { ChatMessage, RecordedEvent, SessionEvent, SessionOpening } from '../events/session-event.js';
import { newSessionId } from '../events/session-id.js';
import { validationError } from '../http/errors.js';
import type { OperationContext } from '../http/operation.js';
import type { SessionInfo } from '../model/session-info.js';
import { assertSessionId } from '../sessions/get-session.js';
import type { SessionsRepository, StoredSession } from '../sessions/sessions-repository.js';
import type { Database } from '../store/schema.js';
import type { AccountCredentials } from '../telephony/account-credentials.js';
import type { TwilioClient, TwilioCredentials } from '../telephony/twilio-client.js';
import { telephonyFailure } from '../telephony/twilio-errors.js';
import { ChatRelay } from './chat-relay.js';
import type { ChatSessions } from './chat-sessions.js';
import { messageKey, type ConversationKey, type StoredMessage } from './messages-repository.js';

/** Twilio's limit on a message body (call-control-and-messaging.md §2: Body ≤ 1600 characters). */
export const MAX_MESSAGE_LENGTH = 1600;

export interface MessagingDeps {
  readonly db: Kysely<Database>;
  readonly sessions: SessionsRepository;
  readonly chats: ChatSessions;
  readonly writer: SessionWriter;
  readonly directory: DirectoryReads;
  readonly people: ControlDirectory;
  readonly credentials: AccountCredentials;
  readonly clients: { forAccount(credentials: TwilioCredentials): TwilioClient };
  readonly now: () => Date;
  /** Where Twilio reaches this server: the public URL, else the host the request came to. */
  readonly callbackBase: (context: OperationContext) => string;
}

/** A chat session as a text needs it: whose, which endpoint, our number and the other party's. */
export interface ChatTarget {
  readonly accountId: string;
  readonly sessionId: string;
  readonly session?: SessionInfo;
  readonly key?: ConversationKey;
  readonly ours: string;
  readonly other: string;
  readonly endpointId?: string;
  readonly endpointName?: string;
  readonly customerId?: string;
  /** Set when the text opens the session. */
  readonly opening?: SessionOpening;
}

/** What a text sent through Twilio became, as MessageInfo shows it. */
export type SentMessage = StoredMessage;

/**
 * Texts through Twilio: the tenant wall and the chat check on a session, the send with the
 * account's own credentials and a status callback naming the session, and the record of the sent
 * text in the ledger (only once Twilio took it: a refused text leaves nothing behind but the error).
 */
export class Messaging {
  readonly relay: ChatRelay;

  constructor(readonly deps: MessagingDeps) {
    this.relay = new ChatRelay({ ...deps, messages: deps.chats.messages });
  }

  /** A session the caller may see (the same 403/404 as GET for a foreign or missing one). */
  async visibleSession(sessionId: string | undefined, context: OperationContext): Promise<StoredSession> {
    const id = assertSessionId(sessionId);
    return visibleRecord(signedIn(context.caller), 'Session', id, await this.deps.sessions.findById(id), (s) => [s.accountId]);
  }

  /** A visible chat session; a voice or fax session is a 400. */
  async chatSession(sessionId: string | undefined, context: OperationContext): Promise<{ stored: StoredSession; session: SessionInfo }> {
    const stored = await this.visibleSession(sessionId, context);
    const session = JSON.parse(stored.json) as SessionInfo;
    if (session.channel !== 'Chat') throw validationError('SessionId', 'InvalidChannel', `'Session Id' must be a chat session; ${stored.id} is a ${session.channel ?? 'session without a channel'}.`);
    return { stored, session };
  }

  /** Where a text in this session goes: from our number (the endpoint's) to the other party. */
  targetOf(accountId: string, session: SessionInfo): ChatTarget {
    const outgoing = session.direction === 'Outgoing';
    const ours = outgoing ? session.fromAddress : session.toAddress;
    const other = outgoing ? session.toAddress : session.fromAddress;
    if (!ours || !E164.test(ours)) throw validationError('SessionId', 'NoNumber', "'Session Id' names a chat with no number of ours to text from.");
    if (!other || !E164.test(other)) throw validationError('SessionId', 'NoNumber', "'Session Id' names a chat whose other party has no number to text.");
    return {
      accountId,
      sessionId: session.id!,
      session,
      key: session.endpointId ? { endpointId: session.endpointId, otherAddress: other } : undefined,
      ours,
      other,
      endpointId: session.endpointId,
      endpointName: session.endpointName,
      customerId: session.customerId,
    };
  }

  /** A phone-number endpoint the caller may use, texting `toAddress`: its open chat with that party, else a new one. */
  async endpointTarget(endpointId: string | undefined, toAddress: string | undefined, context: OperationContext): Promise<Omit<ChatTarget, 'sessionId'> & { key: ConversationKey }> {
    if (!endpointId) throw validationError('EndpointId', 'NotEmpty', "'Endpoint Id' must not be empty.");
    if (!toAddress) throw validationError('ToAddress', 'NotEmpty', "'To Address' must not be empty.");
    if (!E164.test(toAddress)) throw validationError('ToAddress', 'Predicate', "'To Address' must be an E.164 number.");
    const caller = signedIn(context.caller);
    const row = await this.deps.db.selectFrom('endpoints').select(['account_id', 'id', 'phone_number']).where('id', '=', endpointId).executeTakeFirst();
    if (!row || !mayUse(caller, row.account_id)) throw notVisible(caller, 'Endpoint', endpointId);
    if (!row.phone_number) throw validationError('EndpointId', 'NoNumber', "'Endpoint Id' must be a phone-number endpoint.");
    const endpoint = await this.deps.directory.endpointById(row.account_id, row.id);
    const customer = endpoint?.customerId ? await this.deps.directory.customer(row.account_id, endpoint.customerId) : undefined;
    return {
      accountId: row.account_id,
      key: { endpointId: row.id, otherAddress: toAddress },
      ours: row.phone_number,
      other: toAddress,
      endpointId: row.id,
      endpointName: endpoint?.displayName,
      customerId: endpoint?.customerId,
      opening: {
        channel: 'Chat',
        direction: 'Outgoing',
        fromAddress: row.phone_number,
        toAddress,
        displayName: toAddress,
        accountName: await this.deps.directory.accountName(row.account_id),
        endpointId: row.id,
        endpointName: endpoint?.displayName,
        ...customer,
      },
    };
  }

  /** The session a text from an endpoint to a party goes in: the open chat, else a new one (opened by the text). */
  async sessionForEndpoint(target: Omit<ChatTarget, 'sessionId'> & { key: ConversationKey }): Promise<ChatTarget> {
    const [open] = await this.deps.chats.messages.chatSessions(target.accountId, target.key, { openOnly: true });
    return open ? { ...target, sessionId: open.id } : { ...target, sessionId: newSessionId() };
  }

  /**
   * Sends a text through Twilio and records it (MessageSent) in the target's session. Twilio's
   * refusals come back mapped (21610 opt-out, 21211 invalid number: 400 with the code in meta).
   */
  async send(target: ChatTarget, body: string, context: OperationContext, options: { to?: string; from?: string; invitation?: boolean } = {}): Promise<SentMessage> {
    const { message, at } = await this.sendText(target, body, context, options);
    const sent: SentMessage = {
      accountId: target.accountId,
      sessionId: target.sessionId,
      customerId: target.customerId,
      endpointId: target.endpointId,
      endpointName: target.endpointName,
      occurredAt: at,
      direction: 'Outgoing',
      message,
      unread: false,
    };
    // The chat's invited cell members get the reply too (an invitation is not part of the chat).
    if (!options.invitation) await this.relay.relay(target.accountId, target.sessionId, { type: 'MessageSent', ...message }, this.deps.callbackBase(context));
    return sent;
  }

  /**
   * Ends a chat: a ledger event that folds to an ended session ("Ended by Dana Agent"); nothing
   * goes to Twilio (a chat has no call to hang up). The party's next text opens a new chat.
   */
  async endChat(accountId: string, sessionId: string, context: OperationContext): Promise<void> {
    const actorName = (await this.deps.people.actorNameOf(context)) ?? context.caller?.userId;
    await this.deps.writer.write([this.command(accountId, sessionId, { type: 'SessionEnded', ...(actorName ? { actorName } : {}) }, context, `api:${randomUUID()}`, this.deps.now().toISOString())]);
  }

  private async sendText(target: ChatTarget, body: string, context: OperationContext, options: { to?: string; from?: string; invitation?: boolean }): Promise<{ message: ChatMessage; at: string }> {
    const client = this.deps.clients.forAccount(await this.deps.credentials.of(target.accountId));
    const sender = await this.deps.people.actorNameOf(context);
    const to = options.to ?? target.other;
    const from = options.from ?? target.ours;
    const statusCallback = `${this.deps.callbackBase(context)}/twilio/messaging/status?sessionId=${encodeURIComponent(target.sessionId)}`;
    let created: { sid: string; status: string };
    try {
      created = await client.messages.create({ to, from, body, statusCallback });
    } catch (error) {
      throw telephonyFailure(error, `the message to ${to}`).error;
    }
    const at = this.deps.now().toISOString();
    const message: ChatMessage = {
      messageSid: created.sid,
      from,
      to,
      body,
      sender,
      status: created.status,
      ...(options.invitation ? { invitation: true } : {}),
      ...(target.opening ? { opening: target.opening } : {}),
    };
    // An invitation goes to a member, not the party: not a message of the conversation (lists, transcript).
    const type = options.invitation ? 'MessageForwarded' : 'MessageSent';
    await this.deps.writer.write([this.command(target.accountId, target.sessionId, { type, ...message }, context, messageKey(created.sid), at)]);
    return { message, at };
  }

  /** Records a command on a session (a member joining or leaving) and answers the session as re-folded. */
  async record(accountId: string, sessionId: string, event: SessionEvent, context: OperationContext): Promise<StoredSession> {
    await this.deps.writer.write([this.command(accountId, sessionId, event, context, `api:${randomUUID()}`, this.deps.now().toISOString())]);
    return (await this.deps.sessions.findById(sessionId))!;
  }

  private command(accountId: string, sessionId: string, event: SessionEvent, context: OperationContext, dedupeKey: string, at: string): RecordedEvent {
    return { accountId, sessionId, dedupeKey, source: 'api', occurredAt: at, sequence: null, actor: context.caller?.userId ?? 'system', event };
  }
}
