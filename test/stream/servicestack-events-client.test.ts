/**
 * The real npm `ServerEventsClient` (@servicestack/client) against the stream, in Node, over both
 * EventSource polyfills the contract names: `eventsource` 2 (what the client's README and tests use)
 * and 4 (what npm installs on Node 20). Node clients send no cookies, so the stream is opened with an
 * API key on its URL (`resolveStreamUrl`) and the service client carries it as a bearer token.
 */
import { createRequire } from 'node:module';
import { ServerEventsClient, type IEventSourceOptions, type ServerEventMessage } from '@servicestack/client';
import { EventSource as EventSource4 } from 'eventsource';
import { describe, expect, it, onTestFinished } from 'vitest';
import { ACCOUNT_ID, chatChanges, incomingCall, startStreamServer } from './support/stream-fixture.js';

const EventSource2 = createRequire(import.meta.url)('eventsource2') as typeof EventSource4;
const POLYFILLS = [
  ['eventsource 2', EventSource2],
  ['eventsource 4', EventSource4],
] as const;

interface Seen {
  connects: Record<string, unknown>[];
  sessions: { body: Record<string, unknown>; msg: ServerEventMessage }[];
  joins: string[];
  errors: unknown[];
  reconnects: number;
}

/** Waits until `check` holds, polling; fails with what was seen. */
async function until(check: () => boolean, what: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * A client on `channels`; with `resume`, each (re)connect it makes itself asks for what followed the
 * last change it received (`?lastEventId=`): its own reconnects make a new EventSource, which cannot
 * send Last-Event-ID.
 */
function client(url: string, key: string, channels: string[], resume = false) {
  const seen: Seen = { connects: [], sessions: [], joins: [], errors: [], reconnects: 0 };
  const events = new ServerEventsClient(url, channels, {
    handlers: {
      onConnect: (info: Record<string, unknown>) => void seen.connects.push(info),
      onJoin: (msg: ServerEventMessage) => void seen.joins.push(msg.channel),
      SessionInfo: (body: Record<string, unknown>, msg: ServerEventMessage) => void seen.sessions.push({ body, msg }),
    },
    onException: (error: unknown) => void seen.errors.push(error),
    onReconnect: () => void seen.reconnects++,
    resolveStreamUrl: (stream: string) => {
      const last = resume ? seen.sessions.at(-1)?.msg.eventId : undefined;
      return `${stream}&apikey=${key}${last ? `&lastEventId=${last}` : ''}`;
    },
  });
  events.serviceClient.bearerToken = key;
  onTestFinished(() => void events.stop());
  return { events, seen };
}

describe.each(POLYFILLS)('ServerEventsClient over %s', (_name, EventSource) => {
  const withPolyfill = () => {
    const previous = (globalThis as { EventSource?: unknown }).EventSource;
    // The client reads the global EventSource (and its CLOSED constant), as in a browser.
    (globalThis as { EventSource?: unknown }).EventSource = EventSource;
    onTestFinished(() => void ((globalThis as { EventSource?: unknown }).EventSource = previous));
  };

  it('connects to two channels, gets onConnect with string fields and onJoin per channel, and a SessionInfo after a signed Twilio callback', async () => {
    withPolyfill();
    const { url, key } = await startStreamServer();
    const { events, seen } = client(url, key, [`account:${ACCOUNT_ID}`, 'customer:cust_root']);
    events.start();
    await until(() => seen.joins.length === 2, 'onJoin per channel');
    const info = seen.connects[0]!;
    expect(info).toMatchObject({ isAuthenticated: 'true', channels: `account:${ACCOUNT_ID},customer:cust_root`, heartbeatIntervalMs: 10000, idleTimeoutMs: 30000 });
    for (const key of ['userId', 'displayName', 'createdAt', 'profileUrl', 'id', 'unRegisterUrl', 'heartbeatUrl', 'updateSubscriberUrl']) expect(typeof info[key], key).toBe('string');
    expect(seen.joins.sort()).toEqual([`account:${ACCOUNT_ID}`, 'customer:cust_root']);

    await incomingCall(url, 7);
    await until(() => seen.sessions.length === 1, 'a SessionInfo');
    const [{ body, msg }] = seen.sessions as [Seen['sessions'][0]];
    // The main line belongs to cust_west, under cust_root: one message, on the first channel that matches.
    expect(msg.channel).toBe(`account:${ACCOUNT_ID}`);
    expect(msg.eventId).toBeGreaterThan(0);
    const get = await fetch(`${url}/sessions/${body.id as string}`, { headers: { authorization: `Bearer ${key}` } });
    const { version, ...session } = body;
    expect(version).toBe(1);
    expect(session).toEqual(await get.json());
    expect(session).toMatchObject({ accountId: ACCOUNT_ID, customerId: 'cust_west', endpointId: 'ep_main_line', fromAddress: '+15035551234' });
  });

  it('subscribes and unsubscribes channels, lists subscribers, refuses a foreign channel, and stop() unregisters', async () => {
    withPolyfill();
    const { url, key } = await startStreamServer();
    const { events, seen } = client(url, key, [`account:${ACCOUNT_ID}`]);
    events.start();
    await until(() => seen.connects.length === 1, 'onConnect');
    await events.subscribeToChannels('endpoint:ep_main_line', 'session:nothing-here');
    expect(JSON.stringify(seen.errors)).toMatch(/Forbidden/);
    let subscribers = await events.getChannelSubscribers();
    expect(subscribers.map((s) => s.channels)).toEqual([[`account:${ACCOUNT_ID}`]]);
    await events.subscribeToChannels('endpoint:ep_main_line');
    subscribers = await events.getChannelSubscribers();
    expect(subscribers).toHaveLength(1);
    expect(subscribers[0]!.channels).toEqual([`account:${ACCOUNT_ID}`, 'endpoint:ep_main_line']);
    await events.unsubscribeFromChannels(`account:${ACCOUNT_ID}`);
    await incomingCall(url, 8);
    await until(() => seen.sessions.length === 1, 'a SessionInfo on the endpoint channel');
    expect(seen.sessions[0]!.msg.channel).toBe('endpoint:ep_main_line');

    // The subscription stop() ends is the client's current one: the polyfill may have reconnected
    // (a fresh subscription) since the first onConnect, leaving the first to expire by itself.
    const heartbeatUrl = String(events.connectionInfo!.heartbeatUrl);
    expect((await fetch(heartbeatUrl, { method: 'POST' })).status).toBe(200);
    await events.stop();
    expect((await fetch(heartbeatUrl, { method: 'POST' })).status).toBe(404);
  });

  it('reconnects to a fresh subscription when its heartbeat is answered 404', async () => {
    withPolyfill();
    const { url, key } = await startStreamServer({ heartbeatIntervalMs: 200, idleTimeoutMs: 5_000 });
    const { events, seen } = client(url, key, [`account:${ACCOUNT_ID}`]);
    events.start();
    await until(() => seen.connects.length === 1, 'onConnect');
    // The server forgets the subscription (as after an expiry or a restart).
    await fetch(String(seen.connects[0]!.unRegisterUrl), { method: 'POST' });
    await until(() => seen.reconnects >= 1 && seen.connects.length >= 2, 'a reconnect');
    expect(seen.connects.at(-1)!.id).not.toBe(seen.connects[0]!.id);
  });

  it('loses nothing and repeats nothing when the server drops the stream in the middle of 1,000 changes', async () => {
    withPolyfill();
    const { url, key } = await startStreamServer({ heartbeatIntervalMs: 250, idleTimeoutMs: 5_000 });
    const { events, seen } = client(url, key, [`account:${ACCOUNT_ID}`], true);
    events.start();
    await until(() => seen.connects.length === 1, 'onConnect');
    // Ten chats of 100 changes each, written side by side: 1,000 commits, each session's in order.
    const writing = Promise.all(Array.from({ length: 10 }, (_, n) => chatChanges(url, key, `chat-${n}`, 0, 100)));
    await until(() => seen.sessions.length >= 300, '300 changes', 30_000);
    await fetch(String(seen.connects[0]!.unRegisterUrl), { method: 'POST' });
    await writing;
    await until(() => seen.sessions.length >= 1000, 'all 1,000 changes', 30_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const ids = seen.sessions.map((s) => s.msg.eventId);
    expect(ids).toHaveLength(1000);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    const versions = new Map<string, number[]>();
    for (const { body } of seen.sessions) versions.set(String(body.id), [...(versions.get(String(body.id)) ?? []), Number(body.version)]);
    expect([...versions.values()]).toEqual(Array.from({ length: 10 }, () => Array.from({ length: 100 }, (_, i) => i + 1)));
    expect(seen.connects.length).toBeGreaterThanOrEqual(2);
  }, 90_000);
});

export type { IEventSourceOptions };
