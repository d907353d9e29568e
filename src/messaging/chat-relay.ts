import { randomUUID } from 'node:crypto';
import { E164 } from '../control/destinations.js';
import type { ChatMessage, RecordedEvent, SessionEvent } from '../events/session-event.js';
import type { SessionInfo, SessionMemberInfo } from '../model/session-info.js';
import { telephonyFailure } from '../telephony/twilio-errors.js';
import type { MessagesRepository } from './messages-repository.js';
import type { MessagingDeps } from './messaging.js';

/** What relaying needs of messaging's collaborators, and the invitations to check first. */
export type ChatRelayDeps = Pick<MessagingDeps, 'sessions' | 'writer' | 'credentials' | 'clients' | 'now'> & { readonly messages: MessagesRepository };

/** A text of the chat as written: the party's, a chat member's (`member`), or an agent's reply. */
export type ChatText = ChatMessage & { readonly type: 'MessageReceived' | 'MessageSent' };

/** The dedupe key of one relayed copy: a text is relayed to each participant once, however often its webhook comes. */
const relayKey = (messageSid: string, to: string) => `twilio:relay:${messageSid}:${to}`;

/** The cell members a chat's texts are relayed to: invited by number (InviteChatMember) and still in the chat. */
export const cellMembers = (session: SessionInfo): SessionMemberInfo[] =>
  (session.members ?? []).filter((m) => m.callSid === undefined && m.callState === 'Connected' && m.identity !== undefined && E164.test(m.identity) && m.role !== 'Agent');

/**
 * Keeps a chat's texting participants in step. Every text of the chat (the party's, an agent's
 * reply, an invited cell member's) goes, from the chat's own number, to the cell members still in
 * it except its author; a member's text also goes to the party. Members see who wrote each text
 * (`Name: text`); the party sees a member's text as the business's (no prefix), as it sees an
 * agent's reply, so no member's own number is shown to the customer.
 *
 * Each copy is a `MessageForwarded` event (not a message of the conversation: the transcript and
 * the lists show the text once, as written), recorded once Twilio took it, under a key per
 * (text, recipient) so a retried webhook relays nothing twice. A copy Twilio refuses leaves a log
 * line; the text itself is already recorded.
 */
export class ChatRelay {
  constructor(private readonly deps: ChatRelayDeps) {}

  async relay(accountId: string, sessionId: string, text: ChatText, callbackBase: string): Promise<void> {
    // Only a chat someone was invited to by number has anyone to relay to: one index probe for the rest.
    if (!(await this.deps.messages.hasInvitations(accountId, sessionId))) return;
    const stored = await this.deps.sessions.findById(sessionId);
    if (!stored || stored.accountId !== accountId) return;
    const session = JSON.parse(stored.json) as SessionInfo;
    if (session.channel !== 'Chat') return;
    const outgoing = session.direction === 'Outgoing';
    const ours = outgoing ? session.fromAddress : session.toAddress;
    const party = outgoing ? session.toAddress : session.fromAddress;
    if (!ours || !E164.test(ours)) return;
    const author = text.member ? text.from : undefined;
    const members = cellMembers(session).filter((m) => m.identity !== author);
    const label = text.member ? (text.sender ?? text.from) : text.type === 'MessageSent' ? (text.sender ?? 'Agent') : text.from;
    const copies = members.map((m) => ({ to: m.identity!, body: `${label}: ${text.body}` }));
    if (text.member && party && E164.test(party)) copies.unshift({ to: party, body: text.body });
    if (!copies.length) return;
    const recorded = await this.deps.messages.recordedKeys(
      accountId,
      copies.map((c) => relayKey(text.messageSid, c.to)),
    );
    const client = this.deps.clients.forAccount(await this.deps.credentials.of(accountId));
    const statusCallback = `${callbackBase}/twilio/messaging/status?sessionId=${encodeURIComponent(sessionId)}`;
    const mediaUrl = text.media?.map((m) => m.url);
    const events: RecordedEvent[] = [];
    for (const copy of copies) {
      const key = relayKey(text.messageSid, copy.to);
      if (recorded.has(key)) continue;
      let event: SessionEvent;
      try {
        const created = await client.messages.create({ to: copy.to, from: ours, body: copy.body, statusCallback, ...(mediaUrl?.length ? { mediaUrl } : {}) });
        event = { type: 'MessageForwarded', messageSid: created.sid, from: ours, to: copy.to, body: copy.body, sender: text.sender, status: created.status, relayOf: text.messageSid, ...(text.media ? { media: text.media } : {}) };
      } catch (error) {
        event = { type: 'LogAppended', message: `Could not relay message ${text.messageSid} to ${copy.to}: ${telephonyFailure(error, `the message to ${copy.to}`).error.message}` };
      }
      const ok = event.type === 'MessageForwarded';
      events.push({ accountId, sessionId, dedupeKey: ok ? key : `api:${randomUUID()}`, source: ok ? 'twilio' : 'api', occurredAt: this.deps.now().toISOString(), sequence: null, actor: null, event });
    }
    if (events.length) await this.deps.writer.write(events);
  }
}
