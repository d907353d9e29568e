/**
 * The subscriber operations and heartbeats with no load-balancer affinity: two `serve` processes on
 * one PostgreSQL, the stream held by A, everything else sent to B. What ServiceStack's Redis provider
 * does with pub/sub, done here with the subscription table and a NOTIFY nudge.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { ACCOUNT_ID, OTHER_ACCOUNT_ID, seedDirectory } from '../events/support/directory-seed.js';
import { addApiKey } from '../support/directory.js';
import { startInstance } from '../support/instances.js';
import { freshDatabaseUrl } from '../support/test-store.js';
import { chatChanges, openRaw, type Frame } from './support/stream-fixture.js';

const isSession = (f: Frame) => f.selector.endsWith('@cmd.SessionInfo');

async function twoInstances() {
  const url = await freshDatabaseUrl();
  const setup = await openStore(url);
  onTestFinished(() => setup.close());
  await seedDirectory(setup.db);
  const key = await addApiKey(setup, ACCOUNT_ID, ['Manager']);
  const otherKey = await addApiKey(setup, OTHER_ACCOUNT_ID, ['Manager']);
  // A sweep every 5 s (idle timeout 60 s) and a poll of a minute: what arrives within a second arrived by NOTIFY.
  const saved = { poll: process.env.STREAM_POLL_MS, idle: process.env.STREAM_IDLE_TIMEOUT_MS };
  process.env.STREAM_POLL_MS = '60000';
  process.env.STREAM_IDLE_TIMEOUT_MS = '60000';
  const [a, b] = await Promise.all([startInstance(url), startInstance(url)]).finally(() => {
    for (const [name, value] of [['STREAM_POLL_MS', saved.poll], ['STREAM_IDLE_TIMEOUT_MS', saved.idle]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });
  return { a: a!, b: b!, key, otherKey };
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}`, 'content-type': 'application/json' });

describe('subscribers across instances on one PostgreSQL', () => {
  it('lists on B a subscription held by A (tenant rules kept), changes its channels from B with onUpdate/onLeave on A and the new channel streaming, and unknown or foreign ids are 404', async () => {
    const { a, b, key, otherKey } = await twoInstances();
    const stream = await openRaw(`${a.url}/event-stream?channels=account:${ACCOUNT_ID}&apikey=${key}`);
    const info = (await stream.next((f) => f.selector === 'cmd.onConnect')).body as Record<string, string>;
    const id = info.id!;
    // Another subscriber of the account on A hears the update and the leave, as ServiceStack sends them.
    const watcher = await openRaw(`${a.url}/event-stream?channels=account:${ACCOUNT_ID}&apikey=${key}`);
    await watcher.next((f) => f.selector === 'cmd.onConnect');
    await chatChanges(b.url, key, 'chat-x', 0, 1);
    const sessionId = ((await stream.next(isSession)).body as { id: string }).id;

    // Listed by B, by channel, in ServiceStack's bare array; never to another account.
    const listed = await fetch(`${b.url}/event-subscribers?channels=account:${ACCOUNT_ID}`, { headers: bearer(key) });
    expect(listed.status).toBe(200);
    expect(await listed.json()).toEqual(expect.arrayContaining([expect.objectContaining({ userId: info.userId, channels: `account:${ACCOUNT_ID}`, createdAt: info.createdAt })]));
    const viaApi = await fetch(`${b.url}/api/GetEventSubscribers?channels=account:${ACCOUNT_ID}`, { headers: bearer(key) });
    expect(((await viaApi.json()) as unknown[]).length).toBe(2);
    expect((await fetch(`${b.url}/event-subscribers?channels=account:${ACCOUNT_ID}`, { headers: bearer(otherKey) })).status).toBe(403);
    const otherStar = await fetch(`${b.url}/event-subscribers?channels=*`, { headers: bearer(otherKey) });
    expect(await otherStar.json()).toEqual([]);

    // Updated from B: the holder announces it, and the new channel's changes stream on A at once.
    const update = await fetch(`${b.url}/api/UpdateEventSubscriber`, {
      method: 'POST',
      headers: bearer(key),
      body: JSON.stringify({ id, subscribeChannels: [`session:${sessionId}`], unsubscribeChannels: [`account:${ACCOUNT_ID}`] }),
    });
    expect(update.status).toBe(200);
    const updated = await stream.next((f) => f.selector.endsWith('@cmd.onUpdate'), 2000);
    expect(updated.body).toMatchObject({ channels: `session:${sessionId}` });
    expect((await watcher.next((f) => f.selector === `account:${ACCOUNT_ID}@cmd.onUpdate`, 2000)).body).toMatchObject({ channels: `session:${sessionId}` });
    expect((await watcher.next((f) => f.selector === `account:${ACCOUNT_ID}@cmd.onLeave`, 2000)).body).toMatchObject({ channels: `session:${sessionId}` });
    await chatChanges(b.url, key, 'chat-x', 1, 1);
    const change = await stream.next(isSession, 2000);
    expect(change.selector).toBe(`session:${sessionId}@cmd.SessionInfo`);
    expect(await (await fetch(`${b.url}/event-subscribers?channels=session:${sessionId}`, { headers: bearer(key) })).json()).toEqual([expect.objectContaining({ channels: `session:${sessionId}` })]);

    // The tenant wall holds on B: another account's caller, a channel the owner may not read, an unknown id.
    const foreign = await fetch(`${b.url}/event-subscribers/${id}`, { method: 'POST', headers: bearer(otherKey), body: JSON.stringify({ subscribeChannels: [`account:${OTHER_ACCOUNT_ID}`] }) });
    expect(foreign.status).toBe(404);
    const forbidden = await fetch(`${b.url}/event-subscribers/${id}`, { method: 'POST', headers: bearer(key), body: JSON.stringify({ subscribeChannels: [`account:${OTHER_ACCOUNT_ID}`] }) });
    expect(forbidden.status).toBe(403);
    expect(await forbidden.json()).toMatchObject({ responseStatus: { errorCode: 'Forbidden' } });
    expect((await fetch(`${b.url}/event-subscribers/not-${id}`, { method: 'POST', headers: bearer(key), body: '{}' })).status).toBe(404);
    expect(await (await fetch(`${b.url}/event-subscribers?channels=session:${sessionId}`, { headers: bearer(key) })).json()).toEqual([expect.objectContaining({ channels: `session:${sessionId}` })]);
    expect(stream.text()).not.toContain(OTHER_ACCOUNT_ID);
  }, 60_000);

  it('answers a heartbeat posted to B with cmd.onHeartbeat on A\'s stream within a second, each time', async () => {
    const { a, b, key } = await twoInstances();
    const stream = await openRaw(`${a.url}/event-stream?channels=account:${ACCOUNT_ID}&apikey=${key}`);
    const info = (await stream.next((f) => f.selector === 'cmd.onConnect')).body as Record<string, string>;
    const onB = info.heartbeatUrl!.replace(a.url, b.url);
    for (let i = 0; i < 3; i++) {
      const sent = Date.now();
      expect((await fetch(onB, { method: 'POST', headers: { 'content-type': 'text/plain' } })).status).toBe(200);
      const heartbeat = await stream.next((f) => f.selector === 'cmd.onHeartbeat', 1000);
      expect(Date.now() - sent).toBeLessThan(1000);
      expect(heartbeat.id).toBeUndefined();
      expect(heartbeat.body).toMatchObject({ userId: info.userId, channels: info.channels });
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(stream.frames.filter((f) => f.selector === 'cmd.onHeartbeat')).toHaveLength(3);
  }, 60_000);
});
