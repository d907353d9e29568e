import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { EventIngest } from '../../src/events/ingest-events.js';
import type { RecordedEvent } from '../../src/events/session-event.js';
import { ApiError } from '../../src/http/errors.js';
import { openServingStore, type ServingStore } from '../../src/server.js';
import { SessionListRepository } from '../../src/sessions/list-repository.js';
import { SessionsRepository } from '../../src/sessions/sessions-repository.js';

const event = (sessionId: string, dedupeKey: string, second: number, accountId = 'acct'): RecordedEvent => ({
  accountId,
  sessionId,
  dedupeKey,
  source: 'test',
  occurredAt: new Date(Date.UTC(2026, 10, 27, 14, 0, second)).toISOString(),
  sequence: null,
  actor: null,
  event: second === 0 ? { type: 'SessionStarted', channel: 'Chat', direction: 'Incoming', fromAddress: 'web' } : { type: 'LogAppended', message: `line ${second} of ${sessionId}` },
});

// About a SQLite file served by a writer thread, so it opens one itself; it needs no PostgreSQL and
// runs the same in both projects.
describe('ingest on the writer thread of a SQLite file', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  const serve = async (): Promise<ServingStore> => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-ingest-thread-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const serving = await openServingStore(join(dir, 'store.db'));
    cleanups.push(() => serving.close());
    expect(serving.ingest).toBeDefined();
    return serving;
  };

  it('commits before it answers: the main thread reads each session as the fold of its ledger, retries change nothing', async () => {
    const { store, ingest } = await serve();
    const sessions = ['s1', 's2', 's3'];
    // Many requests in one turn, as concurrent callbacks arrive: they cross and commit together.
    const results = await Promise.all(sessions.flatMap((id) => [0, 2, 4].map((second) => ingest!.ingest([event(id, `${id}-${second}`, second)]))));
    expect(results.every((r) => r.appended === 1 && r.duplicates === 0)).toBe(true);
    expect(await ingest!.ingest([event('s2', 's2-2', 2)])).toEqual({ appended: 0, duplicates: 1, sessionIds: [] });
    const fold = new EventIngest(store.db);
    for (const id of sessions) {
      const row = await new SessionsRepository(store.db).findById(id);
      expect(JSON.parse(row!.json)).toEqual(await fold.foldOf('acct', id));
      expect(JSON.parse(row!.json).log).toHaveLength(3);
    }
  });

  it('answers an event the store refuses with the same ServiceStack error as in this thread, and stores nothing of its request', async () => {
    const { store, ingest } = await serve();
    await ingest!.ingest([event('theirs', 'x-0', 0, 'acct_other')]);
    const refused = ingest!.ingest([event('mine', 'm-0', 0), event('theirs', 'y-2', 2)]);
    await expect(refused).rejects.toBeInstanceOf(ApiError);
    await expect(refused).rejects.toMatchObject({ code: 'Forbidden', status: 403 });
    const { rows } = await sql<{ n: number }>`SELECT count(*) AS n FROM session_events WHERE dedupe_key IN ('m-0', 'y-2')`.execute(store.db);
    expect(rows[0]!.n).toBe(0);
  });

  it('keeps the search index itself: what it ingests is found, and indexed in the background', async () => {
    const { store, ingest } = await serve();
    await ingest!.ingest([event('s9', 'a', 0), event('s9', 'b', 7)]);
    const lists = new SessionListRepository(store.db, store.capabilities.textSearch);
    expect(await lists.count({ accountIds: 'all', searchArchive: false, log: 'LINE 7 of s9' })).toBe(1);
    await expect
      .poll(async () => (await sql<{ n: number }>`SELECT count(*) AS n FROM session_search_pending`.execute(store.db)).rows[0]!.n, { timeout: 5000 })
      .toBe(0);
    expect(await lists.count({ accountIds: 'all', searchArchive: false, log: 'LINE 7 of s9' })).toBe(1);
  });

  it('starts a new writer thread for the next request when one died', async () => {
    const { store, ingest } = await serve();
    await ingest!.ingest([event('r1', 'r1-0', 0)]);
    // Fault injection from outside: the thread ends as a crash would end it.
    await (ingest as unknown as { worker: Worker }).worker.terminate();
    expect(await ingest!.ingest([event('r1', 'r1-2', 2)])).toEqual({ appended: 1, duplicates: 0, sessionIds: ['r1'] });
    expect(JSON.parse((await new SessionsRepository(store.db).findById('r1'))!.json).log).toHaveLength(2);
  });

  it('finishes what it was given when closed, then refuses more', async () => {
    const { store, ingest, close } = await serve();
    const pending = Array.from({ length: 20 }, (_, i) => ingest!.ingest([event(`c${i}`, `c${i}`, 0)]));
    const closed = ingest!.close();
    await expect(ingest!.ingest([event('late', 'late', 0)])).rejects.toMatchObject({ code: 'ServiceUnavailable' });
    expect((await Promise.all(pending)).map((r) => r.appended)).toEqual(Array(20).fill(1));
    await closed;
    const { rows } = await sql<{ n: number }>`SELECT count(*) AS n FROM sessions`.execute(store.db);
    expect(rows[0]!.n).toBe(20);
    await close();
  });
});
