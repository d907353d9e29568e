import type { SessionWriter } from '../events/session-writer.js';
import type { RecordedEvent } from '../events/session-event.js';
import type { SessionIds } from '../events/session-id.js';
import type { SessionMemberInfo } from '../model/session-info.js';
import type { KeyedLock } from '../store/keyed-lock.js';
import { messageKey, type ConversationKey, type MessagesRepository } from './messages-repository.js';

/** Where a text goes: its session, and the chat member who wrote it when it is an invited cell's. */
export interface TextPlace {
  readonly sessionId: string;
  readonly member?: SessionMemberInfo;
}

/**
 * Which chat session a text belongs to, and recording it there. A text from a cell number invited
 * to an open chat of its endpoint (and still a member) goes to that chat; else it continues the
 * open chat session of its endpoint with that party, or opens a new one. A text already in the
 * ledger (a retried webhook) goes where it went the first time, so the ledger stores it once.
 *
 * The lookup and the commit run one at a time per conversation (the store's keyed lock: across
 * instances on PostgreSQL), so two texts
 * from a new party arriving together open one session, not two. The new session's id derives from
 * the first text's MessageSid, so a retry of that text names the same session.
 */
export class ChatSessions {
  constructor(
    readonly messages: MessagesRepository,
    private readonly writer: SessionWriter,
    private readonly ids: SessionIds,
    private readonly lock: KeyedLock,
  ) {}

  /**
   * Records the event `build` makes for the session the text belongs to; returns that session.
   * `key` undefined (no endpoint of ours owns the number): the text is a session of its own.
   */
  async record(accountId: string, key: ConversationKey | undefined, messageSid: string, build: (place: TextPlace) => RecordedEvent | Promise<RecordedEvent>): Promise<TextPlace> {
    const run = async () => {
      const place = await this.placeOf(accountId, key, messageSid);
      await this.writer.write([await build(place)]);
      return place;
    };
    return key ? this.lock.run(conversationLockKey(accountId, key), run) : run();
  }

  /** Runs `task` in the conversation's turn (a send that opens a session must not race an inbound text). */
  serialized<T>(accountId: string, key: ConversationKey, task: () => Promise<T>): Promise<T> {
    return this.lock.run(conversationLockKey(accountId, key), task);
  }

  async placeOf(accountId: string, key: ConversationKey | undefined, messageSid: string): Promise<TextPlace> {
    const recorded = await this.messages.sessionOfMessage(accountId, messageSid);
    if (key) {
      // An invited member's text, retried or not, is the member's wherever it went.
      const chat = await this.messages.memberChat(accountId, key);
      if (chat && (!recorded || recorded === chat.sessionId)) return chat;
      if (recorded) return { sessionId: recorded };
      const [open] = await this.messages.chatSessions(accountId, key, { openOnly: true });
      if (open) return { sessionId: open.id };
    }
    return { sessionId: recorded ?? (await this.ids.forKey(accountId, 'twilio', messageSid)) };
  }
}

const conversationLockKey = (accountId: string, key: ConversationKey) => `chat:${accountId}\n${key.endpointId}\n${key.otherAddress}`;

export { messageKey };
