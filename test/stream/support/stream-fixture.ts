import twilio from 'twilio';
import { onTestFinished } from 'vitest';
import type { StreamLimits } from '../../../src/stream/server-events.js';
import { ACCOUNT_ID, ACCOUNT_SID, AUTH_TOKEN, OTHER_ACCOUNT_ID, seedDirectory } from '../../events/support/directory-seed.js';
import { addApiKey } from '../../support/directory.js';
import { startTestServer, type TestServer } from '../../support/server.js';

export { ACCOUNT_ID, OTHER_ACCOUNT_ID };

export interface StreamServer extends TestServer {
  /** A Manager API key of ACCOUNT_ID, and a User key of the other account. */
  readonly key: string;
  readonly otherKey: string;
}

/** A server over the seeded directory (two accounts, a customer tree, lines, agents) with API keys. */
export async function startStreamServer(stream: Partial<StreamLimits> = {}, corsOrigins: string[] = []): Promise<StreamServer> {
  const server = await startTestServer([], { stream, corsOrigins });
  await seedDirectory(server.store.db);
  return { ...server, key: await addApiKey(server.store, ACCOUNT_ID, ['Manager']), otherKey: await addApiKey(server.store, OTHER_ACCOUNT_ID, ['User']) };
}

/** A call SID of its own for call `n`. */
export const callSid = (n: number) => `CA${n.toString(16).padStart(32, '0')}`;

/**
 * Twilio's incoming-call webhook for call `n` to the main line, signed as Twilio signs it over the
 * URL it called (the server has no PUBLIC_URL, so it checks against its own).
 */
export async function incomingCall(url: string, n: number): Promise<Response> {
  const path = '/twilio/voice';
  const params = { AccountSid: ACCOUNT_SID, ApiVersion: '2010-04-01', CallSid: callSid(n), CallStatus: 'ringing', Direction: 'inbound', From: '+15035551234', To: '+15035550000', Caller: '+15035551234', Called: '+15035550000' };
  const res = await fetch(url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilio.getExpectedTwilioSignature(AUTH_TOKEN, url + path, params) },
    body: new URLSearchParams(params).toString(),
  });
  await res.text();
  if (!res.ok) throw new Error(`incoming call ${n}: ${res.status}`);
  return res;
}

/** `count` changes of one chat session (a start, then log lines), one commit each, through the API. */
export async function chatChanges(url: string, key: string, sessionKey: string, from: number, count: number): Promise<void> {
  for (let i = from; i < from + count; i++) {
    const event = i === 0
      ? { id: `${sessionKey}-${i}`, source: 'stream-test', sessionKey, type: 'SessionStarted', occurredAt: new Date(Date.UTC(2026, 10, 27, 14)).toISOString(), data: { channel: 'Chat', direction: 'Incoming', fromAddress: 'web' } }
      : { id: `${sessionKey}-${i}`, source: 'stream-test', sessionKey, type: 'LogAppended', occurredAt: new Date(Date.UTC(2026, 10, 27, 14, 0, 0, i)).toISOString(), data: { message: `line ${i}` } };
    const res = await fetch(`${url}/sessions/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ accountId: ACCOUNT_ID, events: [event] }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`change ${i}: ${res.status} ${text}`);
  }
}

/** One frame as sent: its `id:` (if any), selector and JSON body, and its exact lines. */
export interface Frame {
  readonly id?: number;
  readonly selector: string;
  readonly body: unknown;
  readonly lines: readonly string[];
}

/** A raw stream read over fetch, frame by frame, as bytes arrive: for checks on the wire itself. */
export interface RawStream {
  readonly response: Response;
  /** Every byte received so far. */
  text(): string;
  /** Waits for the next frame matching `test` (frames before it are skipped but kept in `frames`). */
  next(test?: (f: Frame) => boolean, timeoutMs?: number): Promise<Frame>;
  readonly frames: Frame[];
  /** Resolves when the server ends the stream. */
  readonly ended: Promise<void>;
  close(): void;
}

export async function openRaw(url: string, headers: Record<string, string> = {}): Promise<RawStream> {
  const controller = new AbortController();
  const response = await fetch(url, { headers, signal: controller.signal });
  onTestFinished(() => controller.abort());
  let text = '';
  let consumed = 0;
  const frames: Frame[] = [];
  let read = 0;
  let wake: () => void = () => {};
  const ended = (async () => {
    if (!response.body || !response.headers.get('content-type')?.startsWith('text/event-stream')) return;
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body) {
        text += decoder.decode(chunk as Uint8Array, { stream: true });
        let end: number;
        while ((end = text.indexOf('\n\n', consumed)) >= 0) {
          const lines = text.slice(consumed, end).split('\n');
          consumed = end + 2;
          const idLine = lines.find((l) => l.startsWith('id: '));
          const data = lines.find((l) => l.startsWith('data: '))?.slice(6) ?? '';
          const space = data.indexOf(' ');
          const selector = space < 0 ? data : data.slice(0, space);
          const json = space < 0 ? '' : data.slice(space + 1);
          frames.push({ ...(idLine ? { id: Number(idLine.slice(4)) } : {}), selector, body: json ? JSON.parse(json) : undefined, lines });
        }
        wake();
      }
    } catch {
      // aborted by the test
    }
    wake();
  })();
  let done = false;
  void ended.then(() => (done = true));
  return {
    response,
    frames,
    ended,
    text: () => text,
    close: () => controller.abort(),
    async next(test = () => true, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        while (read < frames.length) {
          const frame = frames[read++]!;
          if (test(frame)) return frame;
        }
        if (done) throw new Error(`stream ended before the frame awaited; got ${frames.map((f) => f.selector).join(', ')}`);
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no such frame within ${timeoutMs} ms; got ${frames.map((f) => f.selector).join(', ')}`);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, left);
        });
      }
    },
  };
}
