/**
 * The server process killed (SIGKILL, no graceful close) in the middle of a stream of changes and
 * started again on the same database and port: an EventSource reconnects by itself, sends the last
 * id it got as Last-Event-ID, and ends up with every change once, in ledger order. On SQLite this is
 * the one-process deployment's restart; on PostgreSQL the same holds.
 */
import { createServer } from 'node:net';
import { EventSource } from 'eventsource';
import { describe, expect, it, onTestFinished } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { ACCOUNT_ID, seedDirectory } from '../events/support/directory-seed.js';
import { addApiKey } from '../support/directory.js';
import { startInstance } from '../support/instances.js';
import { freshDatabaseUrl } from '../support/test-store.js';
import { chatChanges } from './support/stream-fixture.js';

/** A port free right now on 127.0.0.1, so the restarted server comes back where the client looks. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === 'object' && address ? address.port : 0;
}

interface Received {
  readonly id: number;
  readonly version: number;
}

describe('the event stream across a killed and restarted server', () => {
  it('an EventSource resumes with Last-Event-ID after kill -9 and a restart on the same database: every change once, in order', async () => {
    const url = await freshDatabaseUrl();
    const setup = await openStore(url);
    await setup.migrate();
    await seedDirectory(setup.db);
    const key = await addApiKey(setup, ACCOUNT_ID, ['Manager']);
    await setup.close();
    const port = await freePort();
    const args = ['--port', String(port)];
    let server = await startInstance(url, args);

    const received: Received[] = [];
    const lastEventIds: string[] = [];
    // The polyfill's own reconnect (3 s in v4) is what a browser does; its fetch shows the header sent.
    const source = new EventSource(`${server.url}/event-stream?channels=account:${ACCOUNT_ID}&apikey=${key}`, {
      fetch: (input, init) => {
        const header = new Headers(init?.headers).get('last-event-id');
        if (header) lastEventIds.push(header);
        return fetch(input, init);
      },
    });
    onTestFinished(() => source.close());
    source.onmessage = (e: MessageEvent<string>) => {
      const [selector, ...json] = e.data.split(' ');
      if (!selector!.endsWith('@cmd.SessionInfo')) return;
      received.push({ id: Number(e.lastEventId), version: (JSON.parse(json.join(' ')) as { version: number }).version });
    };
    await until(() => source.readyState === EventSource.OPEN, 'the stream to open');

    // The writer keeps committing while the server dies under it; some changes are in flight.
    await chatChanges(server.url, key, 'chat-restart', 0, 30);
    await until(() => received.length >= 10, 'changes before the kill');
    const writing = chatChanges(server.url, key, 'chat-restart', 30, 200).catch(() => {});
    await until(() => received.length >= 40, 'changes while writing');
    server.child.kill('SIGKILL');
    await writing;
    const beforeKill = received.length;

    server = await startInstance(url, args);
    // Everything committed before the kill is in the ledger; write on from what the store holds.
    const stored = await versionOf(url, 'chat-restart');
    await chatChanges(server.url, key, 'chat-restart', stored, 20);
    const total = stored + 20;
    // Generous: a restarted process compiles the source (tsx) before it listens, slow on a busy machine.
    await until(() => received.length >= total, `all ${total} changes (have ${received.length})`, 60_000);

    expect(beforeKill).toBeLessThan(total);
    expect(lastEventIds.length).toBeGreaterThanOrEqual(1);
    expect(Number(lastEventIds[0])).toBe(received[beforeKill - 1]!.id);
    expect(received.map((r) => r.version)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    const ids = received.map((r) => r.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(total);
  }, 120_000);
});

/** How many events the chat session holds now (its version), read straight from the store. */
async function versionOf(url: string, sessionKey: string): Promise<number> {
  const store = await openStore(url);
  try {
    const rows = await store.db.selectFrom('session_events').select('dedupe_key').where('dedupe_key', 'like', `%${sessionKey}-%`).execute();
    return rows.length;
  } finally {
    await store.close();
  }
}

async function until(check: () => boolean, what: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
