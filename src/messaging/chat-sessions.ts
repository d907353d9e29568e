import { KeyedMutex } from '../control/keyed-mutex.js';
import type { EventIngest } from '../events/ingest-events.js';
import type { RecordedEvent } from '../events/session-event.js';
import type { SessionIds } from '../events/session-id.js';
import { messageKey, type ConversationKey, type MessagesRepository } from './messages-repository.js';

/**
 * Which chat session a text belongs to, and recording it there. A text continues the open chat
 * session of its endpoint with that party, or opens a new one; a text already in the ledger (a
 * retried webhook) goes where it went the first time, so the ledger stores it once.
 *
 * The lookup and the commit run one at a time per conversation (in this process), so two texts
 * from a new party arriving together open one session, not two. The new session's id derives from
 * the first text's MessageSid, so a retry of that text names the same session.
 */
export class ChatSessions {
  private readonly mutex = new KeyedMutex();

  constructor(
    readonly messages: MessagesRepository,
    private readonly ingest: EventIngest,
    private readonly ids: SessionIds,
  ) {}

  /**
   * Records the event `build` makes for the session the text belongs to; returns that session.
   * `key` undefined (no endpoint of ours owns the number): the text is a session of its own.
   */
  async record(accountId: string, key: ConversationKey | undefined, messageSid: string, build: (sessionId: string) => RecordedEvent | Promise<RecordedEvent>): Promise<string> {
    const run = async () => {
      const sessionId = await this.sessionFor(accountId, key, messageSid);
      await this.ingest.ingest([await build(sessionId)]);
      return sessionId;
    };
    return key ? this.mutex.run(`${accountId}\n${key.endpointId}\n${key.otherAddress}`, run) : run();
  }

  /** Runs `task` in the conversation's turn (a send that opens a session must not race an inbound text). */
  serialized<T>(accountId: string, key: ConversationKey, task: () => Promise<T>): Promise<T> {
    return this.mutex.run(`${accountId}\n${key.endpointId}\n${key.otherAddress}`, task);
  }

  async sessionFor(accountId: string, key: ConversationKey | undefined, messageSid: string): Promise<string> {
    const recorded = await this.messages.sessionOfMessage(accountId, messageSid);
    if (recorded) return recorded;
    if (key) {
      const [open] = await this.messages.chatSessions(accountId, key, { openOnly: true });
      if (open) return open.id;
    }
    return this.ids.forKey(accountId, 'twilio', messageSid);
  }
}

export { messageKey };
