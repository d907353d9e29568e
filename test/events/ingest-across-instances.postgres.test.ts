import { describe, expect, it, onTestFinished } from 'vitest';
import { sessionWriter } from '../../src/events/session-writer.js';
import { sessionIdForKey } from '../../src/events/session-id.js';
import { openStore } from '../../src/store/open-store.js';
import { addApiKey } from '../support/directory.js';
import { startInstance } from '../support/instances.js';
import { freshDatabaseUrl } from '../support/test-store.js';
import { ACCOUNT_ID, SESSION_KEY_SECRET_FOR_TESTS, seedDirectory } from './support/directory-seed.js';

const SESSIONS = 6;
const LINES = 40;
const iso = (second: number) => new Date(Date.UTC(2026, 10, 27, 14, 0, second)).toISOString();

/** Each chat's events: it starts, a caller joins, then LINES log lines, then it ends. */
function eventsOf(chat: number) {
  const e = (id: string, at: number, type: string, data: Record<string, string>) => ({ id: `${chat}-${id}`, source: 'webchat', sessionKey: `chat-${chat}`, type, occurredAt: iso(at), data });
  return [
    e('start', 0, 'SessionStarted', { channel: 'Chat', direction: 'Incoming', from: `visitor-${chat}`, to: 'support' }),
    e('join', 1, 'MemberJoined', { identity: `visitor-${chat}`, displayName: `Visitor ${chat}`, role: 'Caller' }),
    ...Array.from({ length: LINES }, (_, i) => e(`line-${i}`, 2 + i, 'LogAppended', { message: `line ${i} of chat ${chat}` })),
    e('end', 2 + LINES, 'SessionEnded', { outcome: 'Resolved' }),
  ];
}

/** Deterministic shuffle, so a failure replays. */
function shuffled<T>(items: T[], seed = 7): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    const j = seed % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('events through two instances at once', () => {
  it('every session equals the fold of all its events: no lost update, no error, retries change nothing', async () => {
    const url = await freshDatabaseUrl();
    const store = await openStore(url);
    onTestFinished(() => store.close());
    await seedDirectory(store.db);
    const authorization = `Bearer ${await addApiKey(store, ACCOUNT_ID, ['Manager'])}`;
    const [a, b] = await Promise.all([startInstance(url), startInstance(url)]);

    // Batches of one to three events from different chats, in shuffled order, every tenth one
    // delivered twice (a provider's retry) — to the other instance.
    const all = shuffled(Array.from({ length: SESSIONS }, (_, chat) => eventsOf(chat)).flat());
    const batches: (typeof all)[] = [];
    for (let i = 0; i < all.length; ) {
      const size = 1 + (i % 3);
      batches.push(all.slice(i, i + size));
      i += size;
    }
    const deliveries = batches.flatMap((events, i) => {
      const to = i % 2 ? a.url : b.url;
      const first = { to, events };
      return i % 10 === 0 ? [first, { to: to === a.url ? b.url : a.url, events }] : [first];
    });

    let next = 0;
    const statuses: number[] = [];
    const sender = async () => {
      while (next < deliveries.length) {
        const { to, events } = deliveries[next++]!;
        const res = await fetch(`${to}/sessions/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization },
          body: JSON.stringify({ accountId: ACCOUNT_ID, events }),
        });
        statuses.push(res.status);
        if (res.status !== 200) throw new Error(`${res.status}: ${await res.text()}`);
      }
    };
    await Promise.all(Array.from({ length: 12 }, sender));
    expect(statuses.every((s) => s === 200)).toBe(true);

    const ledger = await store.db.selectFrom('session_events').select('dedupe_key').execute();
    expect(ledger).toHaveLength(all.length);
    const ingest = sessionWriter(store);
    for (let chat = 0; chat < SESSIONS; chat++) {
      const id = sessionIdForKey(SESSION_KEY_SECRET_FOR_TESTS, ACCOUNT_ID, 'webchat', `chat-${chat}`);
      const fold = await ingest.foldOf(ACCOUNT_ID, id);
      expect(fold.log?.filter((l) => l.message?.startsWith('line '))).toHaveLength(LINES);
      for (const instance of [a, b]) {
        const res = await fetch(`${instance.url}/sessions/${id}`, { headers: { authorization } });
        expect(await res.json()).toEqual(JSON.parse(JSON.stringify(fold)));
      }
    }
  });
});
