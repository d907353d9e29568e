import { sql, type Kysely } from 'kysely';
import type { ChatMessage, Direction, SessionEvent } from '../events/session-event.js';
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
    const rows = await this.matching(filter)
      .leftJoin('endpoints as p', (join) => join.onRef('p.account_id', '=', 's.account_id').onRef('p.id', '=', 's.endpoint_id'))
      .select(['e.account_id', 'e.session_id', 'e.type', 'e.occurred_at', 'e.payload', 's.customer_id', 's.endpoint_id', 'p.display_name'])
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
      )
      .orderBy('e.occurred_at', direction)
      .orderBy('e.seq', direction)
      .limit(limit)
      .offset(offset)
      .execute();
    return {
      total: Number(counted.n),
      items: rows.map((r) => {
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
      }),
    };
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
