import { describe, expect, it } from 'vitest';
import type { KyselyPlugin, RootOperationNode } from 'kysely';
import { sessionWriter } from '../../src/events/session-writer.js';
import type { Caller } from '../../src/http/operation.js';
import { DEFAULT_STREAM_LIMITS, ServerEvents } from '../../src/stream/server-events.js';
import { chatEvent } from '../events/support/chat-events.js';
import { openTestStore } from '../support/test-store.js';
import { stalledClient } from './support/stalled-client.js';

/** Counts the queries that read the change log's rows (not its head), on the real store. */
function changeReads(): { plugin: KyselyPlugin; count: () => number } {
  let reads = 0;
  return {
    plugin: {
      transformQuery({ node }: { node: RootOperationNode }) {
        if (node.kind === 'SelectQueryNode' && JSON.stringify(node.from).includes('"session_changes"')) reads++;
        return node;
      },
      transformResult: async ({ result }) => result,
    },
    count: () => reads,
  };
}

const manager: Caller = { userId: 'u1', roles: ['Manager'], accountIds: ['acct'] };
const channels = [{ name: 'account:acct', kind: 'account' as const, id: 'acct', accountIds: ['acct'] }];
const until = async (done: () => boolean) => {
  for (const deadline = Date.now() + 5_000; !done() && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 10));
};

describe('an instance whose subscribers have all left', () => {
  it('reads no changes while nobody listens, and the next subscriber still gets every change after its last id', async () => {
    const store = await openTestStore();
    const reads = changeReads();
    const events = new ServerEvents(store.db.withPlugin(reads.plugin), DEFAULT_STREAM_LIMITS);
    const ingest = sessionWriter(store);
    ingest.onCommitted(() => events.wake());
    const first = stalledClient(Infinity);
    await events.add(manager, channels, 'first', first.stream, () => {}, (await events.head()).position);
    for (let i = 0; i < 5; i++) await ingest.write([chatEvent({ accountId: 'acct', sessionId: 's', dedupeKey: `a${i}`, second: i })]);
    await until(() => first.ids.length === 5);
    first.stream.end();
    await new Promise((resolve) => setTimeout(resolve, 50));

    const before = reads.count();
    for (let i = 0; i < 20; i++) await ingest.write([chatEvent({ accountId: 'acct', sessionId: 's', dedupeKey: `b${i}`, second: 10 + i })]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(reads.count() - before).toBe(0);

    const next = stalledClient(Infinity);
    await events.add(manager, channels, 'next', next.stream, () => {}, first.ids.at(-1)!);
    await until(() => next.ids.length === 20);
    expect(next.ids).toEqual(Array.from({ length: 20 }, (_, i) => first.ids.at(-1)! + 1 + i));
    await events.close();
    await store.close();
  });
});
