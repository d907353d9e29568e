import { describe, expect, it, onTestFinished } from 'vitest';
import { sessionWriter, type SessionWriter } from '../../src/events/session-writer.js';
import { openStore, type Store } from '../../src/store/open-store.js';
import { ChangeLog, type SessionChange } from '../../src/stream/change-log.js';
import { chatEvent } from '../events/support/chat-events.js';
import { dialect, freshDatabaseUrl, openTestStore } from '../support/test-store.js';

/** Writers as many instances would be: on PostgreSQL two pools on one database, on SQLite one file's one writer. */
async function writers(): Promise<{ stores: Store[]; ingests: SessionWriter[] }> {
  if (dialect === 'sqlite') {
    const store = await openTestStore();
    return { stores: [store], ingests: [0, 1].map(() => sessionWriter(store)) };
  }
  const url = await freshDatabaseUrl();
  const stores = await Promise.all([openStore(url), openStore(url)]);
  onTestFinished(() => Promise.all(stores.map((s) => s.close())).then(() => undefined));
  return { stores, ingests: stores.map((s) => sessionWriter(s)) };
}

describe('the stream change log', () => {
  it('gives positions in commit order: a reader polling "after the last one seen" during concurrent commits misses none and sees none twice', async () => {
    const { stores, ingests } = await writers();
    const log = new ChangeLog(stores[0]!.db);
    const seen: SessionChange[] = [];
    let writing = true;
    // Reads as the live stream does, as fast as it can, while the writers commit.
    const reader = (async () => {
      for (;;) {
        const done = !writing;
        const page = await log.after(seen.at(-1)?.position ?? 0, 500);
        seen.push(...page);
        if (done && !page.length) return;
        if (!page.length) await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    const SESSIONS = 24;
    const ROUNDS = 12;
    const work: Promise<unknown>[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      for (let s = 0; s < SESSIONS; s++) {
        const ingest = ingests[s % ingests.length]!;
        work.push(ingest.write([chatEvent({ sessionId: `s${s}`, dedupeKey: `s${s}:${round}`, second: round })]));
      }
      if (round % 3 === 2) await Promise.all(work);
    }
    await Promise.all(work);
    writing = false;
    await reader;

    const positions = seen.map((c) => c.position);
    expect(positions).toEqual(positions.map((_, i) => i + 1));
    expect(positions.at(-1)).toBe((await log.head()).position);
    // One change per session per commit that changed it (a group commit may carry several rounds),
    // versions rising by one in position order, the last one the row.
    for (let s = 0; s < SESSIONS; s++) {
      const mine = seen.filter((c) => c.sessionId === `s${s}`);
      expect(mine.map((c) => c.version)).toEqual(mine.map((_, i) => i + 1));
      const row = await stores[0]!.db.selectFrom('sessions').select(['document', 'version']).where('id', '=', `s${s}`).executeTakeFirstOrThrow();
      expect(mine.at(-1)!.document).toBe(row.document);
    }
  });

  it('keeps no history before the window it is pruned to, and says how far it pruned', async () => {
    const store = await openTestStore();
    const ingest = sessionWriter(store, { now: () => new Date('2026-11-01T00:00:00Z') });
    await ingest.write([chatEvent({ sessionId: 'old', dedupeKey: 'old:0', second: 0 })]);
    const log = new ChangeLog(store.db);
    const later = sessionWriter(store, { now: () => new Date('2026-11-03T00:00:00Z') });
    await later.write([chatEvent({ sessionId: 'new', dedupeKey: 'new:0', second: 0 })]);
    expect(await log.prune('2026-11-02T00:00:00Z')).toBe(1);
    expect(await log.head()).toEqual({ position: 2, prunedThrough: 1 });
    expect((await log.after(0, 10)).map((c) => c.sessionId)).toEqual(['new']);
  });
});
