import { sql, type Kysely } from 'kysely';
import type { ChatMessage, Direction, SessionEvent } from '../events/session-event.js';
import type { SessionInfo, SessionMemberInfo } from '../model/session-info.js';
import type { Database } from '../store/schema.js';

/** The ledger types that are texts; their payloads are `ChatMessage`s. */
export const MESSAGE_TYPES = ['MessageReceived', 'MessageSent'] as const;

/** The dedupe key of a message in the ledger: Twilio's MessageSid is unique, whichever way it went. */
export const messageKey = (messageSid: string) => `twilio:message:${messageSid}`;

/** A conversation is Evo's own thread: one endpoint and one other party (call-control-and-messaging.md §1c). */
export interface ConversationKey {
  readonly endpointId: string;
  readonly otherAddress: string;
}

/** An opaque, URL-safe conversation id that carries its key (no table to look it up in). */
export const conversationIdOf = (key: ConversationKey) => Buffer.from(`${key.endpointId}\n${key.otherAddress}`).toString('base64url');

export function conversationKeyOf(id: string): ConversationKey | undefined {
  const [endpointId, otherAddress, extra] = Buffer.from(id, 'base64url').toString().split('\n');
  return endpointId && otherAddress && extra === undefined ? { endpointId, otherAddress } : undefined;
}

/** A message as the ledger and its session row have it. */
export interface StoredMessage {
  readonly accountId: string;
  readonly sessionId: string;
  readonly customerId?: string;
  readonly endpointId?: string;
  readonly endpointName?: string;
  readonly occurredAt: string;
  readonly direction: Direction;
  readonly message: ChatMessage;
  /** Incoming, and no outgoing message of its session came after it. */
  readonly unread: boolean;
}

export interface MessageFilter {
  readonly accountIds: readonly string[] | 'all';
  readonly customerIds?: readonly string[];
  readonly endpointIds?: readonly string[];
  readonly conversations?: readonly ConversationKey[];
  readonly sessionIds?: readonly string[];
  /** ListRequest `specificIds`: these messages (MessageSids) only. */
  readonly messageSids?: readonly string[];
  readonly after?: string;
}

/** One page of conversations: the sort and the window of rows a ListRequest asks for. */
export interface ConversationPage {
  readonly sortBy: 'date' | 'otherAddress' | 'endpointId';
  readonly descending: boolean;
  readonly offset: number;
  readonly limit: number;
}

/** A conversation (endpoint, party) of an account with its most recent message. */
export interface StoredConversation {
  readonly key: ConversationKey;
  readonly mostRecent: StoredMessage;
}

/** An invited cell number's chat: the open session it is a connected member of. */
export interface MemberChat {
  readonly sessionId: string;
  readonly member: SessionMemberInfo;
}

/** Chats a number was invited to, newest first, that are checked against their sessions per text. */
const MAX_INVITATIONS = 20;

/** A chat session row, as the conversation lookups need it. */
export interface ChatSessionRow {
  readonly id: string;
  readonly dateCreated: string | null;
  readonly ended: boolean;
}

/**
 * Reads texts out of the ledger: they are `MessageReceived`/`MessageSent` events, so a message is
 * stored once (its MessageSid is its dedupe key) and every list is a query over the ledger joined
 * to the session rows (endpoint, customer). No second copy of a message exists to drift.
 */
export class MessagesRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** The session a message is already recorded in (a retried webhook goes where the first went). */
  async sessionOfMessage(accountId: string, messageSid: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('session_events').select('session_id').where('account_id', '=', accountId).where('dedupe_key', '=', messageKey(messageSid)).executeTakeFirst();
    return row?.session_id;
  }

  /** Which of these ledger keys are already recorded (a relayed copy is sent once). */
  async recordedKeys(accountId: string, keys: readonly string[]): Promise<Set<string>> {
    if (!keys.length) return new Set();
    const rows = await this.db.selectFrom('session_events').select('dedupe_key').where('account_id', '=', accountId).where('dedupe_key', 'in', keys).execute();
    return new Set(rows.map((r) => r.dedupe_key));
  }

  /**
   * Chat sessions of an endpoint with one party, newest first; only unended ones, or those created
   * since `since`. One query per direction, each on its partial index (migration 015-chat-conversation-indexes): the
   * literal `channel = 'Chat'` is what lets the planner use an index built `WHERE channel = 'Chat'`.
   */
  async chatSessions(accountId: string, key: ConversationKey, options: { openOnly?: boolean; since?: string } = {}): Promise<ChatSessionRow[]> {
    const rows = [];
    for (const direction of ['Incoming', 'Outgoing'] as const) rows.push(...(await this.chatSessionsQuery(accountId, key, direction, options).execute()));
    rows.sort((a, b) => ((b.date_created ?? '') < (a.date_created ?? '') ? -1 : (b.date_created ?? '') > (a.date_created ?? '') ? 1 : b.id < a.id ? -1 : 1));
    return rows.map((r) => ({ id: r.id, dateCreated: r.date_created, ended: Number(r.ended) === 1 }));
  }

  /** One direction's lookup, exposed so a test can EXPLAIN it. */
  chatSessionsQuery(accountId: string, key: ConversationKey, direction: 'Incoming' | 'Outgoing', options: { openOnly?: boolean; since?: string } = {}) {
    let query = this.db
      .selectFrom('sessions')
      .select(['id', 'date_created', 'ended'])
      .where('account_id', '=', accountId)
      .where('endpoint_id', '=', key.endpointId)
      .where(direction === 'Incoming' ? 'from_address' : 'to_address', '=', key.otherAddress)
      .where(sql<boolean>`channel = ${sql.lit('Chat')}`)
      .where('direction', '=', direction);
    if (options.openOnly) query = query.where('ended', '=', 0);
    if (options.since) query = query.where('date_created', '>=', options.since);
    return query.orderBy('date_created', 'desc').limit(1000);
  }

  /** How many messages match, and one page of them, newest first. */
  async page(filter: MessageFilter, offset: number, limit: number, oldestFirst = false): Promise<{ total: number; items: StoredMessage[] }> {
    const counted = await this.matching(filter)
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();
    const direction = oldestFirst ? 'asc' : 'desc';
    const rows = await this.withDetails(this.matching(filter)).orderBy('e.occurred_at', direction).orderBy('e.seq', direction).limit(limit).offset(offset).execute();
    return { total: Number(counted.n), items: rows.map(storedMessageOf) };
  }

  /**
   * Conversations (endpoint, party) with a matching message, one page of them, each with its most
   * recent message, and how many there are. The party is the session's (who a chat is with), so a
   * chat member's text stays in the conversation of the chat it was written in. One query over the
   * matching messages: a window numbers each conversation's messages newest first, and the first
   * of each is the conversation (SQLite ≥ 3.25 and PostgreSQL both have window functions).
   */
  async conversations(filter: MessageFilter, page: ConversationPage): Promise<{ total: number; items: StoredConversation[] }> {
    const latest = this.db
      .selectFrom(
        this.withDetails(this.matching(filter).where('s.endpoint_id', 'is not', null))
          .select(PARTY.as('party'))
          .select(sql<number>`row_number() over (partition by s.account_id, s.endpoint_id, ${PARTY} order by e.occurred_at desc, e.seq desc)`.as('nth'))
          .as('m'),
      )
      .where('m.nth', '=', 1);
    const counted = await latest.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
    const direction = page.descending ? 'desc' : 'asc';
    const column = { date: 'm.occurred_at', otherAddress: 'm.party', endpointId: 'm.endpoint_id' } as const;
    const rows = await latest
      .selectAll()
      .orderBy(column[page.sortBy], direction)
      .orderBy('m.occurred_at', direction)
      .orderBy('m.endpoint_id')
      .orderBy('m.party')
      .orderBy('m.account_id')
      .limit(page.limit)
      .offset(page.offset)
      .execute();
    return {
      total: Number(counted.n),
      items: rows.map((r) => ({ key: { endpointId: r.endpoint_id!, otherAddress: r.party }, mostRecent: storedMessageOf(r) })),
    };
  }

  /**
   * The open chat a cell number is a connected member of on an endpoint (the one it was invited to
   * most recently), if any. The invitations are a hint; the session's folded members decide.
   */
  async memberChat(accountId: string, key: ConversationKey): Promise<MemberChat | undefined> {
    const invited = await this.invitationsQuery(accountId, key).execute();
    if (!invited.length) return undefined;
    const ids = invited.map((r) => r.session_id);
    const rows = await this.db.selectFrom('sessions').select(['id', 'document']).where('account_id', '=', accountId).where('id', 'in', ids).where('ended', '=', 0).execute();
    const documents = new Map(rows.map((r) => [r.id, JSON.parse(r.document) as SessionInfo]));
    for (const id of ids) {
      const member = documents.get(id)?.members?.find((m) => m.callSid === undefined && m.identity === key.otherAddress && m.callState === 'Connected');
      if (member) return { sessionId: id, member };
    }
    return undefined;
  }

  /** The chats a number was invited to on an endpoint, newest first; exposed so a test can EXPLAIN it. */
  invitationsQuery(accountId: string, key: ConversationKey) {
    return this.db
      .selectFrom('chat_members')
      .select('session_id')
      .where('account_id', '=', accountId)
      .where('endpoint_id', '=', key.endpointId)
      .where('address', '=', key.otherAddress)
      .orderBy('invited_at', 'desc')
      .limit(MAX_INVITATIONS);
  }

  /** Whether any number was invited to this chat (most chats: none, so nothing is relayed and the session is not read). */
  async hasInvitations(accountId: string, sessionId: string): Promise<boolean> {
    const row = await this.db.selectFrom('chat_members').select('address').where('account_id', '=', accountId).where('session_id', '=', sessionId).limit(1).executeTakeFirst();
    return row !== undefined;
  }

  /** Records that a cell number was invited to a chat (again: the invitation is renewed). */
  async invited(accountId: string, key: ConversationKey, sessionId: string, at: string): Promise<void> {
    await this.db
      .insertInto('chat_members')
      .values({ account_id: accountId, endpoint_id: key.endpointId, address: key.otherAddress, session_id: sessionId, invited_at: at })
      .onConflict((oc) => oc.columns(['account_id', 'endpoint_id', 'address', 'session_id']).doUpdateSet({ invited_at: at }))
      .execute();
  }

  /** Forgets a number's invitations to a chat (the member was removed); its texts go to its own conversation again. */
  async uninvited(accountId: string, address: string, sessionId: string): Promise<void> {
    await this.db.deleteFrom('chat_members').where('account_id', '=', accountId).where('session_id', '=', sessionId).where('address', '=', address).execute();
  }

  /** The columns a StoredMessage is made of: the event, its session's endpoint and customer, and whether it is unread. */
  private withDetails<Q extends ReturnType<MessagesRepository['matching']>>(query: Q) {
    return query
      .leftJoin('endpoints as p', (join) => join.onRef('p.account_id', '=', 's.account_id').onRef('p.id', '=', 's.endpoint_id'))
      .select(['e.account_id', 'e.session_id', 'e.type', 'e.occurred_at', 'e.seq', 'e.payload', 's.customer_id', 's.endpoint_id', 'p.display_name'])
      .select((eb) =>
        eb
          .case()
          .when(
            eb.and([
              eb('e.type', '=', 'MessageReceived'),
              eb.not(
                eb.exists(
                  eb
                    .selectFrom('session_events as o')
                    .select(sql.lit(1).as('one'))
                    .whereRef('o.account_id', '=', 'e.account_id')
                    .whereRef('o.session_id', '=', 'e.session_id')
                    .where('o.type', '=', 'MessageSent')
                    .whereRef('o.occurred_at', '>=', 'e.occurred_at'),
                ),
              ),
            ]),
          )
          .then(1)
          .else(0)
          .end()
          .as('unread'),
      );
  }

  private matching(filter: MessageFilter) {
    let query = this.db
      .selectFrom('session_events as e')
      .innerJoin('sessions as s', (join) => join.onRef('s.account_id', '=', 'e.account_id').onRef('s.id', '=', 'e.session_id'))
      .where('e.type', 'in', MESSAGE_TYPES);
    if (filter.accountIds !== 'all') query = query.where('e.account_id', 'in', filter.accountIds.length ? filter.accountIds : ['']);
    if (filter.sessionIds) query = query.where('e.session_id', 'in', filter.sessionIds.length ? filter.sessionIds : ['']);
    if (filter.messageSids?.length) query = query.where('e.dedupe_key', 'in', filter.messageSids.map(messageKey));
    if (filter.customerIds?.length) query = query.where('s.customer_id', 'in', filter.customerIds);
    if (filter.endpointIds?.length) query = query.where('s.endpoint_id', 'in', filter.endpointIds);
    if (filter.after) query = query.where('e.occurred_at', '>', filter.after);
    const keys = filter.conversations;
    if (keys?.length) {
      query = query.where((eb) =>
        eb.or(
          keys.map((k) =>
            eb.and([
              eb('s.endpoint_id', '=', k.endpointId),
              eb.or([
                eb.and([eb('s.direction', '=', 'Incoming'), eb('s.from_address', '=', k.otherAddress)]),
                eb.and([eb('s.direction', '=', 'Outgoing'), eb('s.to_address', '=', k.otherAddress)]),
              ]),
            ]),
          ),
        ),
      );
    }
    return query;
  }
}

/** The party of a chat session: who it is with (the sender of an incoming chat, the recipient of an outgoing one). */
const PARTY = sql<string>`case when s.direction = ${sql.lit('Outgoing')} then s.to_address else s.from_address end`;

interface MessageRow {
  account_id: string;
  session_id: string;
  type: string;
  occurred_at: string;
  payload: string;
  customer_id: string | null;
  endpoint_id: string | null;
  display_name: string | null;
  unread: unknown;
}

function storedMessageOf(r: MessageRow): StoredMessage {
  const event = JSON.parse(r.payload) as Extract<SessionEvent, { type: 'MessageReceived' | 'MessageSent' }>;
  return {
    accountId: r.account_id,
    sessionId: r.session_id,
    customerId: r.customer_id ?? undefined,
    endpointId: r.endpoint_id ?? undefined,
    endpointName: r.display_name ?? undefined,
    occurredAt: r.occurred_at,
    direction: r.type === 'MessageReceived' ? 'Incoming' : 'Outgoing',
    message: event,
    unread: Number(r.unread) === 1,
  };
}
