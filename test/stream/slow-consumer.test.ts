import { describe, expect, it } from 'vitest';
import { sessionWriter } from '../../src/events/session-writer.js';
import type { Caller } from '../../src/http/operation.js';
import { DEFAULT_STREAM_LIMITS, ServerEvents } from '../../src/stream/server-events.js';
import { chatEvent } from '../events/support/chat-events.js';
import { openTestStore } from '../support/test-store.js';
import { stalledClient } from './support/stalled-client.js';

const manager: Caller = { userId: 'u1', roles: ['Manager'], accountIds: ['acct'] };
const channels = [{ name: 'account:acct', kind: 'account' as const, id: 'acct', accountIds: ['acct'] }];

describe('a slow consumer', () => {
  it('is cut off without holding up ingest or other subscribers, and resumes from its last id with nothing lost', async () => {
    const store = await openTestStore();
    const events = new ServerEvents(store.db, DEFAULT_STREAM_LIMITS);
    const ingest = sessionWriter(store);
    ingest.onCommitted(() => events.wake());
    const slow = stalledClient(5);
    const fast = stalledClient(Infinity);
    await events.add(manager, channels, 'slow', slow.stream, () => {}, (await events.head()).position);
    await events.add(manager, channels, 'fast', fast.stream, () => {}, (await events.head()).position);
    for (let i = 0; i < 40; i++) await ingest.write([chatEvent({ accountId: 'acct', sessionId: 's', dedupeKey: `e${i}`, second: i })]);
    events.wake();
    // Delivery is paced (server-events.ts): wait for it, not for a fixed time.
    for (const until = Date.now() + 5_000; fast.ids.length < 40 && Date.now() < until; ) await new Promise((resolve) => setTimeout(resolve, 20));

    expect(slow.stream.closed).toBe(true);
    expect(slow.ids).toHaveLength(5);
    expect(fast.ids).toHaveLength(40);
    const resumed = stalledClient(Infinity);
    await events.add(manager, channels, 'slow', resumed.stream, () => {}, slow.ids.at(-1)!);
    expect([...slow.ids, ...resumed.ids]).toEqual(fast.ids);
    await events.close();
  });
});
