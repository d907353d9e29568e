import { describe, expect, it, onTestFinished } from 'vitest';
import { sessionWriter, type SessionWriter } from '../../src/events/session-writer.js';
import type { RecordedEvent } from '../../src/events/session-event.js';
import { openStore, type Store } from '../../src/store/open-store.js';
import { freshDatabaseUrl } from '../support/test-store.js';

const ROUNDS = 40;

const line = (sessionId: string, n: number, from: string): RecordedEvent => ({
  accountId: 'acct',
  sessionId,
  dedupeKey: `${sessionId}:${n}`,
  source: 'test',
  occurredAt: new Date(Date.UTC(2026, 10, 27, 14, 0, 0, n)).toISOString(),
  sequence: null,
  actor: null,
  event: { type: 'LogAppended', message: `line ${n} via ${from}` },
});

/** Two instances' ingests (pools of their own) on one database. */
async function twoInstances(): Promise<[SessionWriter, SessionWriter, Store]> {
  const url = await freshDatabaseUrl();
  const stores = await Promise.all([openStore(url), openStore(url)]);
  onTestFinished(() => Promise.all(stores.map((s) => s.close())).then(() => undefined));
  const ingestOf = (store: Store) => sessionWriter(store);
  return [ingestOf(stores[0]!), ingestOf(stores[1]!), stores[0]!];
}

describe('ingest contention between instances on PostgreSQL', () => {
  it('batches touching the same sessions in opposite orders, and the same retries on both, all succeed with nothing lost', async () => {
    const [one, two, store] = await twoInstances();
    const work: Promise<unknown>[] = [];
    for (let n = 0; n < ROUNDS; n++) {
      // Instance one touches s1 then s2, instance two s2 then s1; every third round both also carry
      // one event for s3, as a provider's retry delivered to both would.
      const shared = n % 3 === 0 ? [line('s3', n, 'both')] : [];
      work.push(one.write([line('s1', n, 'one'), line('s2', n + 1000, 'one'), ...shared]));
      work.push(two.write([line('s2', n, 'two'), ...shared, line('s1', n + 1000, 'two')]));
      // Round by round, so each instance commits one request at a time, both at once.
      await Promise.allSettled(work.slice(-2));
    }
    const outcomes = await Promise.allSettled(work);
    expect(outcomes.filter((o) => o.status === 'rejected').map((o) => String((o as PromiseRejectedResult).reason))).toEqual([]);
    for (const id of ['s1', 's2', 's3']) {
      const row = await store.db.selectFrom('sessions').select('document').where('id', '=', id).executeTakeFirstOrThrow();
      const messages = (JSON.parse(row.document) as { log?: { message: string }[] }).log?.map((l) => l.message) ?? [];
      expect(messages.filter((m) => m.startsWith('line '))).toHaveLength(id === 's3' ? Math.ceil(ROUNDS / 3) : ROUNDS * 2);
      expect(messages).toEqual((await one.foldOf('acct', id)).log?.map((l) => l.message));
    }
  });
});
