import { describe, expect, it, onTestFinished } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { ACCOUNT_ID, seedDirectory } from '../events/support/directory-seed.js';
import { addApiKey } from '../support/directory.js';
import { startInstance } from '../support/instances.js';
import { freshDatabaseUrl } from '../support/test-store.js';
import { chatChanges, openRaw, type Frame } from './support/stream-fixture.js';

const isSession = (f: Frame) => f.selector.endsWith('@cmd.SessionInfo');

describe('the event stream across instances on one PostgreSQL', () => {
  it('takes heartbeats and unregisters on either instance, streams on one what is committed through the other, and resumes on the other with nothing lost when the first is killed', async () => {
    const url = await freshDatabaseUrl();
    const setup = await openStore(url);
    onTestFinished(() => setup.close());
    await seedDirectory(setup.db);
    const key = await addApiKey(setup, ACCOUNT_ID, ['Manager']);
    // A poll of a minute, so what arrives within the test arrived by NOTIFY.
    const poll = process.env.STREAM_POLL_MS;
    process.env.STREAM_POLL_MS = '60000';
    const [a, b] = await Promise.all([startInstance(url), startInstance(url)]).finally(() => {
      if (poll === undefined) delete process.env.STREAM_POLL_MS;
      else process.env.STREAM_POLL_MS = poll;
    });
    const streamUrl = (base: string) => `${base}/event-stream?channels=account:${ACCOUNT_ID}&apikey=${key}`;

    // Heartbeats and unregisters may land on either instance (no load-balancer affinity).
    const elsewhere = await openRaw(streamUrl(a.url));
    const { id } = (await elsewhere.next((f) => f.selector === 'cmd.onConnect')).body as { id: string };
    expect((await fetch(`${b.url}/event-heartbeat?id=${id}`, { method: 'POST' })).status).toBe(200);
    expect((await fetch(`${b.url}/event-heartbeat?id=not-${id}`, { method: 'POST' })).status).toBe(404);
    const unregistered = await fetch(`${b.url}/event-unregister?id=${id}`, { method: 'POST' });
    expect(unregistered.status).toBe(200);
    expect(await unregistered.json()).toMatchObject({ channels: `account:${ACCOUNT_ID}` });
    await elsewhere.ended;

    const onA = await openRaw(streamUrl(a.url));
    await onA.next((f) => f.selector === 'cmd.onConnect');
    await chatChanges(b.url, key, 'chat-ab', 0, 1);
    const first = await onA.next(isSession);
    await chatChanges(b.url, key, 'chat-ab', 1, 9);
    const seen: Frame[] = [first];
    for (let i = 0; i < 9; i++) seen.push(await onA.next(isSession));

    a.child.kill('SIGKILL');
    await onA.ended;
    await chatChanges(b.url, key, 'chat-ab', 10, 10);
    const onB = await openRaw(streamUrl(b.url), { 'last-event-id': String(seen.at(-1)!.id) });
    for (let i = 0; i < 10; i++) seen.push(await onB.next(isSession));
    await chatChanges(b.url, key, 'chat-ab', 20, 1);
    seen.push(await onB.next(isSession));

    expect(seen.map((f) => (f.body as { version: number }).version)).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
    const ids = seen.map((f) => f.id!);
    expect(ids).toEqual([...ids].sort((x, y) => x - y));
    expect(new Set(ids).size).toBe(21);
  }, 60_000);
});
