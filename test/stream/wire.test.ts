/**
 * The stream at the byte level, for the rules only ServiceStack's C# client enforces (it is not in
 * this test setup): numeric ids, no comment/retry/event lines, one data line per frame, string
 * onConnect values, cmd.onHeartbeat per heartbeat, the stream answered for Accept: application/json.
 */
import { describe, expect, it } from 'vitest';
import { ACCOUNT_ID, chatChanges, incomingCall, openRaw, startStreamServer, type Frame } from './support/stream-fixture.js';

const streamUrl = (url: string, key: string, channels = `account:${ACCOUNT_ID}`, extra = '') => `${url}/event-stream?channels=${channels}&t=1&apikey=${key}${extra}`;
const isSession = (f: Frame) => f.selector.endsWith('@cmd.SessionInfo');

describe('the event stream on the wire', () => {
  it('opens with onConnect (strings, absolute URLs, no id), then onJoin, and sends a committed change as {channel}@cmd.SessionInfo with its ledger position as id', async () => {
    const { url, key } = await startStreamServer();
    const stream = await openRaw(streamUrl(url, key), { accept: 'application/json' });
    expect(stream.response.status).toBe(200);
    expect(stream.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(stream.response.headers.get('cache-control')).toBe('no-cache');
    const connect = await stream.next();
    expect(connect.selector).toBe('cmd.onConnect');
    expect(connect.id).toBeUndefined();
    const info = connect.body as Record<string, unknown>;
    for (const value of Object.values(info)) expect(typeof value).toBe('string');
    expect(Object.keys(info)).toEqual(expect.arrayContaining(['userId', 'isAuthenticated', 'displayName', 'channels', 'createdAt', 'profileUrl', 'id', 'unRegisterUrl', 'heartbeatUrl', 'updateSubscriberUrl', 'heartbeatIntervalMs', 'idleTimeoutMs']));
    expect(info).toMatchObject({ isAuthenticated: 'true', channels: `account:${ACCOUNT_ID}`, heartbeatIntervalMs: '10000', idleTimeoutMs: '30000' });
    expect(info.heartbeatUrl).toBe(`${url}/event-heartbeat?id=${info.id as string}`);
    expect(info.unRegisterUrl).toBe(`${url}/event-unregister?id=${info.id as string}`);
    expect(info.updateSubscriberUrl).toBe(`${url}/event-subscribers/${info.id as string}`);
    expect((info.id as string).length).toBeGreaterThanOrEqual(22);
    expect((await stream.next()).selector).toBe(`account:${ACCOUNT_ID}@cmd.onJoin`);

    await incomingCall(url, 1);
    const change = await stream.next(isSession);
    expect(change.selector).toBe(`account:${ACCOUNT_ID}@cmd.SessionInfo`);
    expect(Number.isSafeInteger(change.id)).toBe(true);
    const session = change.body as Record<string, unknown>;
    const { version, ...rest } = session;
    expect(version).toBe(1);
    const get = await fetch(`${url}/sessions/${session.id as string}`, { headers: { authorization: `Bearer ${key}` } });
    expect(rest).toEqual(await get.json());

    stream.close();
    for (const line of stream.text().split('\n')) expect(line === '' || /^(id: \d+|data: \S+( .*)?)$/.test(line), line).toBe(true);
  });

  it('pushes cmd.onHeartbeat after each heartbeat, answers an unknown id with 404, and unregisters with the Meta', async () => {
    const { url, key, otherKey } = await startStreamServer();
    const stream = await openRaw(streamUrl(url, key));
    const info = (await stream.next()).body as Record<string, string>;
    const beat = await fetch(info.heartbeatUrl!, { method: 'POST', headers: { 'content-type': 'text/plain' } });
    expect(beat.status).toBe(200);
    const heartbeat = await stream.next((f) => f.selector === 'cmd.onHeartbeat');
    expect(heartbeat.id).toBeUndefined();
    expect(heartbeat.body).toMatchObject({ userId: info.userId, channels: info.channels });
    expect((await fetch(`${url}/event-heartbeat?id=nope`, { method: 'POST' })).status).toBe(404);
    // Another principal's credentials on a real id: the same 404.
    expect((await fetch(info.heartbeatUrl!, { method: 'POST', headers: { authorization: `Bearer ${otherKey}` } })).status).toBe(404);

    const unregister = await fetch(info.unRegisterUrl!, { method: 'POST' });
    expect(unregister.status).toBe(200);
    expect(await unregister.json()).toMatchObject({ userId: info.userId, channels: info.channels });
    await stream.ended;
    expect((await fetch(info.heartbeatUrl!, { method: 'POST' })).status).toBe(404);
  });

  it('ends a subscription whose heartbeats stop after idleTimeoutMs', async () => {
    const { url, key } = await startStreamServer({ heartbeatIntervalMs: 100, idleTimeoutMs: 400 });
    const stream = await openRaw(streamUrl(url, key));
    const info = (await stream.next()).body as Record<string, string>;
    expect(info.idleTimeoutMs).toBe('400');
    const started = Date.now();
    await stream.ended;
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);
    expect((await fetch(info.heartbeatUrl!, { method: 'POST' })).status).toBe(404);
  });

  it('refuses an anonymous stream (401), a channel of another account (403 with a ResponseStatus) and a name that is no channel (400)', async () => {
    const { url, key, otherKey } = await startStreamServer();
    const anonymous = await fetch(`${url}/event-stream?channels=account:${ACCOUNT_ID}`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBeTruthy();
    const foreign = await fetch(streamUrl(url, otherKey));
    expect(foreign.status).toBe(403);
    expect(await foreign.json()).toMatchObject({ responseStatus: { errorCode: 'Forbidden' } });
    const missing = await fetch(streamUrl(url, otherKey, 'session:does-not-exist'));
    expect(missing.status).toBe(403);
    expect((await fetch(streamUrl(url, key, 'home'))).status).toBe(400);
  });

  it('resumes after Last-Event-ID with every matching change missed, once, in order, then live; control frames carry no id', async () => {
    const { url, key } = await startStreamServer();
    const first = await openRaw(streamUrl(url, key));
    await first.next();
    await chatChanges(url, key, 'chat-1', 0, 5);
    const seen: Frame[] = [];
    for (let i = 0; i < 2; i++) seen.push(await first.next(isSession));
    first.close();
    await chatChanges(url, key, 'chat-1', 5, 5);
    const resumed = await openRaw(streamUrl(url, key), { 'last-event-id': String(seen.at(-1)!.id) });
    await resumed.next((f) => f.selector === 'cmd.onConnect');
    for (let i = 0; i < 8; i++) seen.push(await resumed.next(isSession));
    await chatChanges(url, key, 'chat-1', 10, 1);
    seen.push(await resumed.next(isSession));
    const ids = seen.map((f) => f.id!);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(11);
    expect(seen.map((f) => (f.body as { version: number }).version)).toEqual(Array.from({ length: 11 }, (_, i) => i + 1));
    for (const frame of [...first.frames, ...resumed.frames]) expect(frame.id === undefined, frame.selector).toBe(!isSession(frame));
    // ?lastEventId= does the same for clients whose reconnect cannot set the header.
    const byQuery = await openRaw(streamUrl(url, key, `account:${ACCOUNT_ID}`, `&lastEventId=${ids[8]}`));
    expect((await byQuery.next(isSession)).id).toBe(ids[9]);
  });

  it('gives a fresh stream every change after the streamPosition its onConnect names, even while changes commit as it connects', async () => {
    const { url, key } = await startStreamServer();
    let writing = true;
    const writer = chatChanges(url, key, 'chat-busy', 0, 200).finally(() => (writing = false));
    const streams: { position: number; stream: Awaited<ReturnType<typeof openRaw>> }[] = [];
    while (writing && streams.length < 8) {
      const stream = await openRaw(streamUrl(url, key));
      const connect = await stream.next((f) => f.selector === 'cmd.onConnect');
      streams.push({ position: Number((connect.body as { streamPosition: string }).streamPosition), stream });
    }
    await writer;
    expect(streams.length).toBeGreaterThan(3);
    for (const { position, stream } of streams) {
      // Every change of this test is the account's: positions after the one named are all this stream's.
      const ids: number[] = [];
      for (let frame = await stream.next(isSession); ; frame = await stream.next(isSession)) {
        ids.push(frame.id!);
        if ((frame.body as { version: number }).version === 200) break;
      }
      expect(ids).toEqual(Array.from({ length: ids.at(-1)! - position }, (_, i) => position + 1 + i));
    }
  });

  it('tells a client resuming from before the history kept to resync (cmd.onResync), then streams on', async () => {
    const { url, key, store } = await startStreamServer();
    await chatChanges(url, key, 'chat-old', 0, 3);
    await store.db.updateTable('stream_head').set({ pruned_through: 2 }).execute();
    await store.db.deleteFrom('session_changes').where('position', '<=', 2).execute();
    const stream = await openRaw(streamUrl(url, key), { 'last-event-id': '1' });
    await stream.next((f) => f.selector === 'cmd.onConnect');
    const resync = await stream.next();
    expect(resync.selector).toBe('cmd.onResync');
    expect(resync.id).toBeUndefined();
    expect(resync.body).toMatchObject({ lastEventId: '1', oldestEventId: '3' });
    await chatChanges(url, key, 'chat-old', 3, 1);
    expect((await stream.next(isSession)).id).toBe(4);
  });
});

describe('the event stream across origins', () => {
  it('allows a configured origin with credentials (the stream and the API, preflight included) and no other', async () => {
    const origin = 'http://console.test:3000';
    const { url, key } = await startStreamServer({}, [origin]);
    const stream = await openRaw(streamUrl(url, key), { origin });
    expect(stream.response.headers.get('access-control-allow-origin')).toBe(origin);
    expect(stream.response.headers.get('access-control-allow-credentials')).toBe('true');
    const preflight = await fetch(`${url}/api/UpdateEventSubscriber`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(origin);
    expect(preflight.headers.get('access-control-allow-headers')).toBe('content-type');
    const info = (await stream.next()).body as Record<string, string>;
    const beat = await fetch(info.heartbeatUrl!, { method: 'POST', headers: { origin } });
    expect(beat.headers.get('access-control-allow-origin')).toBe(origin);
    const stranger = await fetch(`${url}/event-subscribers?channels=account:${ACCOUNT_ID}`, { headers: { origin: 'http://evil.test', authorization: `Bearer ${key}` } });
    expect(stranger.headers.get('access-control-allow-origin')).toBeNull();
  });
});
