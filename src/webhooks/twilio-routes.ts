import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { DirectoryReads, TwilioAccount } from '../events/directory-reads.js';
import type { SessionWriter } from '../events/session-writer.js';
import type { RecordedEvent } from '../events/session-event.js';
import type { SessionIds } from '../events/session-id.js';
import { callStatusEvent, conferenceEvent, recordingEvent, voiceWebhookEvent } from './twilio-callbacks.js';
import { field, formParams, verifyTwilioRequest, type FormParams } from './verify-twilio-signature.js';
import { EMPTY_TWIML, HOLD_MUSIC_URL, resumeTwiml, waitTwiml } from '../control/hold-queue.js';
import { ApiError } from '../http/errors.js';
import { holdQuery, holdQueueEvent } from './twilio-hold-queue.js';
import type { ChatSessions } from '../messaging/chat-sessions.js';
import type { ChatText } from '../messaging/chat-relay.js';
import { messageStatusEvent, recordInboundMessage } from './twilio-messaging.js';

export interface TwilioWebhookOptions {
  /** The public base URL Twilio calls (e.g. `https://switchboard.example.com`); signatures are over it. */
  readonly publicUrl?: string;
  /**
   * The TwiML answered to an incoming call. Default: a `<Redirect>` to `voiceRedirectUrl` with
   * `{accountId}` and `{accountSid}` filled in, so Switchboard sits in front of the account's voice app.
   */
  readonly voiceTwiml?: (account: TwilioAccount) => string;
  readonly voiceRedirectUrl?: string;
  readonly now: () => Date;
  /** What a held caller hears (default: Twilio's own hold music). */
  readonly holdMusicUrl?: string;
  /** Texts: where inbound messages and delivery statuses are recorded (issue 18). */
  readonly chats?: ChatSessions;
  /** Relays a recorded text to the chat's other texting participants (its invited cell members). */
  readonly relay?: (accountId: string, sessionId: string, text: ChatText, callbackBase: string) => Promise<void>;
}

const escapeXml = (text: string) => text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The default answer: redirect the call to the account's own voice app (or an empty Response when none is configured). */
export function redirectTwiml(template: string | undefined) {
  return (account: TwilioAccount, accountSid: string): string => {
    const body = template
      ? `<Redirect method="POST">${escapeXml(template.replaceAll('{accountId}', encodeURIComponent(account.id)).replaceAll('{accountSid}', encodeURIComponent(accountSid)))}</Redirect>`
      : '';
    return `<?xml version="1.0" encoding="UTF-8"?><Response>${body}</Response>`;
  };
}

/**
 * Twilio's webhooks as plain Fastify routes (they are not ServiceStack operations: the body is
 * a signed form, the answer TwiML or nothing). Each verifies its signature before anything is read
 * into an event, and answers only after the event is committed. Errors go through the central
 * handler, so they are ServiceStack ResponseStatus bodies like everywhere else.
 */
export function registerTwilioWebhooks(app: FastifyInstance, writer: SessionWriter, directory: DirectoryReads, ids: SessionIds, options: TwilioWebhookOptions): void {
  const fallbackTwiml = redirectTwiml(options.voiceRedirectUrl);
  const verified = async (request: FastifyRequest): Promise<{ account: TwilioAccount; params: FormParams }> => {
    const params = formParams(request);
    return { account: await verifyTwilioRequest(request, params, directory, options.publicUrl), params };
  };
  const acknowledge = async (reply: FastifyReply, event: RecordedEvent | undefined) => {
    if (event) await writer.write([event]);
    return reply.code(204).send();
  };

  app.post('/twilio/voice', async (request, reply) => {
    const { account, params } = await verified(request);
    await writer.write([await voiceWebhookEvent(account, params, directory, options.now(), ids)]);
    const twiml = options.voiceTwiml ? options.voiceTwiml(account) : fallbackTwiml(account, String(params.AccountSid));
    return reply.code(200).type('text/xml; charset=utf-8').send(twiml);
  });

  app.post('/twilio/voice/status', async (request, reply) => {
    const { account, params } = await verified(request);
    return acknowledge(reply, await callStatusEvent(account, params, request.query as Record<string, unknown>, directory, options.now(), ids));
  });

  app.post('/twilio/conference/status', async (request, reply) => {
    const { account, params } = await verified(request);
    return acknowledge(reply, await conferenceEvent(account, params, request.query as Record<string, unknown>, directory, options.now(), ids));
  });

  const chats = options.chats;
  if (chats) {
    // Twilio expects TwiML back from the SMS URL; an empty Response sends no automatic reply.
    app.post('/twilio/messaging', async (request, reply) => {
      const { account, params } = await verified(request);
      const { sessionId, text } = await recordInboundMessage(account, params, directory, chats, options.now());
      // Relayed before Twilio is answered (a few Messages creates): a copy already sent for this text is not sent again on a retry.
      const base = options.publicUrl ? options.publicUrl.replace(/\/+$/, '') : `${request.protocol}://${request.headers.host ?? request.hostname}`;
      await options.relay?.(account.id, sessionId, text, base);
      return reply.code(200).type('text/xml; charset=utf-8').send('<?xml version="1.0" encoding="UTF-8"?><Response></Response>');
    });

    app.post('/twilio/messaging/status', async (request, reply) => {
      const { account, params } = await verified(request);
      return acknowledge(reply, await messageStatusEvent(account, params, request.query as Record<string, unknown>, chats, options.now()));
    });
  }

  // The hold queue of a call outside a conference (src/control/hold-queue.ts): each request is a
  // confirmation (recorded), and its answer is the TwiML the call runs next.
  const twiml = (reply: FastifyReply, body: string) => reply.code(200).type('text/xml; charset=utf-8').send(`<?xml version="1.0" encoding="UTF-8"?>${body}`);
  const callbackBase = (request: FastifyRequest) => (options.publicUrl ? options.publicUrl.replace(/\/+$/, '') : `${request.protocol}://${request.headers.host ?? request.hostname}`);
  const memberCallback = (request: FastifyRequest, sessionId: string) => `${callbackBase(request)}/twilio/voice/status?sessionId=${encodeURIComponent(sessionId)}`;

  app.post('/twilio/hold/wait', async (request, reply) => {
    const { account, params } = await verified(request);
    const hold = await holdQuery(account, request.query as Record<string, unknown>, ids, 'back');
    await writer.write([holdQueueEvent(account, params, hold, 'HoldQueueEntered', undefined, options.now())]);
    return twiml(reply, waitTwiml(options.holdMusicUrl ?? HOLD_MUSIC_URL));
  });

  app.post('/twilio/hold/result', async (request, reply) => {
    const { account, params } = await verified(request);
    const hold = await holdQuery(account, request.query as Record<string, unknown>, ids, 'back');
    const result = field(params, 'QueueResult') ?? 'error';
    await writer.write([holdQueueEvent(account, params, hold, 'HoldQueueLeft', result, options.now())]);
    // Redirected, hung up or bridged: Twilio runs something else already (or nothing). Refused by the
    // queue (queue-full, error): back to the agent, rather than hanging up on the caller.
    const stranded = !['redirected', 'redirected-from-bridged', 'hangup', 'bridged', 'bridging-in-process'].includes(result);
    return twiml(reply, stranded && hold.dial ? resumeTwiml(hold.dial, memberCallback(request, hold.sessionId)) : EMPTY_TWIML);
  });

  app.post('/twilio/hold/resume', async (request, reply) => {
    const { account, params } = await verified(request);
    const hold = await holdQuery(account, request.query as Record<string, unknown>, ids, 'to');
    if (!hold.dial) throw new ApiError('BadRequest', "The resume URL names the agent to dial ('to')");
    await writer.write([holdQueueEvent(account, params, hold, 'HoldQueueLeft', 'redirected', options.now())]);
    return twiml(reply, resumeTwiml(hold.dial, memberCallback(request, hold.sessionId)));
  });

  app.post('/twilio/recording/status', async (request, reply) => {
    const { account, params } = await verified(request);
    return acknowledge(reply, await recordingEvent(account, params, request.query as Record<string, unknown>, options.now(), ids));
  });
}
