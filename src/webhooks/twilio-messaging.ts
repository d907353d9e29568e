import { ApiError } from '../http/errors.js';
import type { DirectoryReads, TwilioAccount } from '../events/directory-reads.js';
import type { MessageMedia, RecordedEvent, SessionOpening } from '../events/session-event.js';
import { assertSessionId } from '../sessions/get-session.js';
import type { ChatText } from '../messaging/chat-relay.js';
import type { ChatSessions } from '../messaging/chat-sessions.js';
import { messageKey } from '../messaging/messages-repository.js';
import { field, type FormParams } from './verify-twilio-signature.js';

/** Twilio sends at most 10 media per MMS; more indexes than that are not Twilio's. */
const MAX_MEDIA = 10;

const SID = /^(SM|MM)[0-9a-f]{32}$/i;

function messageSidOf(params: FormParams): string {
  const sid = field(params, 'MessageSid') ?? field(params, 'SmsMessageSid') ?? field(params, 'SmsSid');
  if (!sid) throw new ApiError('BadRequest', 'MessageSid is missing');
  if (!SID.test(sid)) throw new ApiError('BadRequest', 'MessageSid is not a Twilio message SID');
  return sid;
}

/** `MediaUrl{N}`/`MediaContentType{N}` for N below NumMedia: an MMS keeps its media as URLs. */
function mediaOf(params: FormParams): MessageMedia[] {
  const raw = field(params, 'NumMedia') ?? '0';
  if (!/^\d{1,2}$/.test(raw) || Number(raw) > MAX_MEDIA) throw new ApiError('BadRequest', `NumMedia must be 0 to ${MAX_MEDIA}`);
  const media: MessageMedia[] = [];
  for (let n = 0; n < Number(raw); n++) {
    const url = field(params, `MediaUrl${n}`);
    if (!url) throw new ApiError('BadRequest', `MediaUrl${n} is missing`);
    media.push({ url, contentType: field(params, `MediaContentType${n}`) });
  }
  return media;
}

/**
 * `POST /twilio/messaging`: a text to one of the account's numbers, recorded in the chat session of
 * that number's endpoint with the sender (opened by this text if none is open), or in the chat the
 * sender was invited to as a member. Returns the session and the text as recorded (to relay).
 */
export async function recordInboundMessage(account: TwilioAccount, params: FormParams, directory: DirectoryReads, chats: ChatSessions, receivedAt: Date): Promise<{ sessionId: string; text: ChatText }> {
  const messageSid = messageSidOf(params);
  const from = field(params, 'From');
  const to = field(params, 'To');
  if (!from || !to) throw new ApiError('BadRequest', `${from ? 'To' : 'From'} is missing`);
  const media = mediaOf(params);
  const endpoint = await directory.endpointByAddress(account.id, to);
  const customer = endpoint?.customerId ? await directory.customer(account.id, endpoint.customerId) : undefined;
  const opening: SessionOpening = {
    channel: 'Chat',
    direction: 'Incoming',
    fromAddress: from,
    toAddress: to,
    displayName: from,
    accountName: account.name,
    endpointId: endpoint?.id,
    endpointName: endpoint?.displayName,
    ...customer,
  };
  const key = endpoint ? { endpointId: endpoint.id, otherAddress: from } : undefined;
  let text: ChatText | undefined;
  const place = await chats.record(account.id, key, messageSid, ({ sessionId, member }) => {
    const sender = member ? (member.displayName ?? from) : from;
    text = { type: 'MessageReceived', messageSid, from, to, body: field(params, 'Body') ?? '', ...(media.length ? { media } : {}), sender, status: 'received', ...(member ? { member: true } : { opening }) };
    return { accountId: account.id, sessionId, dedupeKey: messageKey(messageSid), source: 'twilio', occurredAt: receivedAt.toISOString(), sequence: null, actor: null, event: text };
  });
  return { sessionId: place.sessionId, text: text! };
}

/**
 * `POST /twilio/messaging/status`: how a message we sent is faring. The session is `?sessionId=`
 * on the callback URL (Twilio signs it), else the one the message is recorded in; a status for a
 * message Switchboard never sent is acknowledged and not stored (undefined).
 */
export async function messageStatusEvent(account: TwilioAccount, params: FormParams, query: Record<string, unknown>, chats: ChatSessions, receivedAt: Date): Promise<RecordedEvent | undefined> {
  const messageSid = messageSidOf(params);
  const status = field(params, 'MessageStatus') ?? field(params, 'SmsStatus');
  if (!status || !/^[a-z-]{1,32}$/.test(status)) throw new ApiError('BadRequest', 'MessageStatus is missing');
  const named = typeof query.sessionId === 'string' && query.sessionId !== '' ? assertSessionId(query.sessionId) : undefined;
  const sessionId = named ?? (await chats.messages.sessionOfMessage(account.id, messageSid));
  if (!sessionId) return undefined;
  return {
    accountId: account.id,
    sessionId,
    dedupeKey: `${messageKey(messageSid)}:${status}`,
    source: 'twilio',
    occurredAt: receivedAt.toISOString(),
    sequence: null,
    actor: null,
    event: { type: 'MessageStatus', messageSid, status, errorCode: field(params, 'ErrorCode') },
  };
}
