import { describe, expect, it } from 'vitest';
import { sessionWriter } from '../../src/events/session-writer.js';
import type { RecordedEvent } from '../../src/events/session-event.js';
import { SessionsRepository } from '../../src/sessions/sessions-repository.js';
import { goldenSession } from '../support/fixtures.js';
import { openTestStore } from '../support/test-store.js';
import { chatEvent } from './support/chat-events.js';
import { storeWhole } from '../support/sessions.js';

const freshStore = openTestStore;

const event = (dedupeKey: string, second: number, accountId = 'acct', sessionId = 's1'): RecordedEvent => chatEvent({ dedupeKey, second, accountId, sessionId });

describe('the session writer', () => {
  it('stores each event once and acknowledges a retry without changing the session', async () => {
    const store = await freshStore();
    const ingest = sessionWriter(store);
    expect(await ingest.write([event('a', 0), event('b', 2)])).toEqual({ appended: 2, duplicates: 0, sessionIds: ['s1'] });
    const before = await new SessionsRepository(store.db).findById('s1');
    expect(await ingest.write([event('b', 2)])).toEqual({ appended: 0, duplicates: 1, sessionIds: [] });
    expect(await new SessionsRepository(store.db).findById('s1')).toEqual(before);
    await store.close();
  });

  it('re-folds on a late event so the row equals the fold of the ledger', async () => {
    const store = await freshStore();
    const ingest = sessionWriter(store);
    await ingest.write([event('a', 0), event('c', 9)]);
    await ingest.write([event('b', 5)]);
    const row = await new SessionsRepository(store.db).findById('s1');
    const doc = JSON.parse(row!.json);
    expect(doc.log.map((l: { message: string }) => l.message)).toEqual(['Incoming chat from web', 'line 5', 'line 9']);
    expect(doc).toEqual(await ingest.foldOf('acct', 's1'));
    expect(row!.version).toBe(2);
    await store.close();
  });

  it('refuses an event for another account’s session and stores nothing of the batch', async () => {
    const store = await freshStore();
    const ingest = sessionWriter(store);
    await ingest.write([event('a', 0)]);
    await expect(ingest.write([event('x', 3, 'other'), event('y', 4, 'other')])).rejects.toMatchObject({ status: 403 });
    const n = await store.db.selectFrom('session_events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(n.n)).toBe(1);
    await store.close();
  });

  it('gives a new session id to one account only, when two accounts name it in one commit', async () => {
    const store = await freshStore();
    const writer = sessionWriter(store);
    // Sent in one turn, so they share a group commit; and once in one batch.
    const [first, second] = await Promise.allSettled([writer.write([event('a', 0, 'acct', 'new1')]), writer.write([event('x', 1, 'other', 'new1')])]);
    expect(first).toMatchObject({ status: 'fulfilled' });
    expect(second).toMatchObject({ status: 'rejected', reason: { status: 403 } });
    await expect(writer.write([event('b', 0, 'acct', 'new2'), event('y', 1, 'other', 'new2')])).rejects.toMatchObject({ status: 403 });
    const owners = await store.db.selectFrom('sessions').select(['id', 'account_id']).orderBy('id').execute();
    expect(owners).toEqual([{ id: 'new1', account_id: 'acct' }]);
    await store.close();
  });

  it('records imported sessions as a snapshot the fold starts from', async () => {
    const store = await freshStore();
    const golden = goldenSession();
    await storeWhole(store, golden);
    const row = await new SessionsRepository(store.db).findById(golden.id!);
    expect(JSON.parse(row!.json)).toEqual(await sessionWriter(store).foldOf(golden.accountId!, golden.id!));
    await store.close();
  });

  it('never loses an update when many events for one session arrive at once, and a bad neighbour fails alone', async () => {
    const store = await freshStore();
    const ingest = sessionWriter(store);
    await ingest.write([event('start', 0)]);
    const lines = Array.from({ length: 60 }, (_, i) => ingest.write([event(`line-${i}`, 1 + (i % 50))]));
    const intruder = ingest.write([event('intruder', 3, 'other')]);
    const results = await Promise.allSettled([...lines, intruder]);
    expect(results.slice(0, 60).every((r) => r.status === 'fulfilled')).toBe(true);
    expect(results[60]).toMatchObject({ status: 'rejected', reason: { status: 403 } });
    const doc = JSON.parse((await new SessionsRepository(store.db).findById('s1'))!.json);
    expect(doc.log).toHaveLength(61);
    expect(doc).toEqual(await ingest.foldOf('acct', 's1'));
    await store.close();
  });
  for (const kind of ['cached', 'reference'] as const) {
    it(`counts the ${kind} writer's calls not yet answered, refused ones too, as waiting (the live stream gives way to them)`, async () => {
      const store = await freshStore();
      const ingest = sessionWriter(store, { kind });
      await ingest.write([event('x', 0, 'other', 'taken')]);
      expect(ingest.waiting).toBe(0);
      const calls = [...Array.from({ length: 4 }, (_, i) => ingest.write([event(`w${i}`, i)])), ingest.write([event('y', 1, 'acct', 'taken')])];
      expect(ingest.waiting).toBe(5);
      const outcomes = await Promise.allSettled(calls);
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'rejected']);
      expect(ingest.waiting).toBe(0);
      await store.close();
    });
  }
});
