import fc from 'fast-check';
import { sql } from 'kysely';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { SessionInfo } from '../../src/model/session-info.js';
import { DEFAULT_GENERATOR } from '../../src/generate/generate-sessions.js';
import { loadGenerated } from '../../src/generate/load-generated.js';
import { SessionListRepository } from '../../src/sessions/list-repository.js';
import { insertSnapshots, snapshotWrite } from '../../src/events/snapshot-writes.js';
import { sessionRow } from '../../src/sessions/session-row.js';
import { openStore, type Store } from '../../src/store/open-store.js';
import { startSignedInServer } from '../support/server.js';
import { session, storeWhole } from '../support/sessions.js';
import { emptyStore, freshDatabaseUrl, migrateTo } from '../support/test-store.js';

const byId = { field: 'id', order: 'Ascend' } as const;

/** What `log=needle` must return: a scan of every log as one text, lines joined by newlines, ignoring case. */
const contains = (log: readonly string[], needle: string) => log.join('\n').toLowerCase().includes(needle.toLowerCase());

async function searchLog(store: Store, needle: string, searchArchive: boolean, accountIds: readonly string[] | 'all' = 'all') {
  const lists = new SessionListRepository(store.db, store.capabilities.textSearch);
  const query = { accountIds, searchArchive, log: needle };
  const ids = (await lists.page(query, byId, 0, 1000)).map((document) => (JSON.parse(document) as SessionInfo).id);
  expect(await lists.count(query)).toBe(ids.length);
  return ids;
}

/** Rewrites a session's row as the event fold does: the whole document, its log grown or changed. */
async function writeLog(store: Store, id: string, accountId: string, log: readonly string[], version: number) {
  const next = session({ id, accountId, log: [...log] });
  await store.db.updateTable('sessions').set(sessionRow(next, version)).where('account_id', '=', accountId).where('id', '=', id).execute();
}

// Letters whose case every store folds alike, quotes, LIKE and GLOB wildcards, FTS5 syntax, wide characters.
const CHARS = ['a', 'B', 'c', 'x', ' ', '"', "'", '%', '_', '\\', '*', '?', '[', ':', '-', 'é', 'É', 'Ж', 'ж', 'ß', '日', '😀'];
const line = fc.array(fc.constantFrom(...CHARS), { minLength: 0, maxLength: 6 }).map((chars) => chars.join(''));

/** A session's life: its first lines, then batches appended one write each; maybe rewritten, maybe archived. */
const life = fc.record({
  account: fc.constantFrom('acct_a', 'acct_b'),
  first: fc.array(line, { maxLength: 3 }),
  appended: fc.array(fc.array(line, { minLength: 1, maxLength: 2 }), { maxLength: 4 }),
  rewrite: fc.option(fc.array(line, { minLength: 1, maxLength: 2 }), { freq: 4 }),
  archived: fc.boolean(),
  // Lines a late event appends after the session was archived.
  late: fc.option(fc.array(line, { minLength: 1, maxLength: 2 }), { freq: 3 }),
});

describe('log search: exactly the sessions whose log contains the text, however the log was written', () => {
  it('matches a scan of the joined log for needles of any length, within a line, across appended lines, with quotes, wildcards and Unicode', async () => {
    // The property decides when a deferring store's indexer catches up (`maybeIndex`).
    const store = await openStore(await freshDatabaseUrl(), { indexInBackground: false });
    onTestFinished(() => store.close());
    await store.migrate();
    await fc.assert(
      fc.asyncProperty(
        fc.array(life, { minLength: 1, maxLength: 5 }),
        fc.array(fc.nat(), { minLength: 4, maxLength: 4 }),
        fc.array(line, { minLength: 2, maxLength: 2 }),
        fc.infiniteStream(fc.boolean()),
        async (lives, picks, typed, indexNow) => {
        await emptyStore(store);
        // Where a store defers indexing, its indexer catches up at random points between writes:
        // searches must be exact whatever was indexed and whatever is still noted.
        const maybeIndex = async () => {
          if (indexNow.next().value) await store.capabilities.textSearch.indexPending?.(store.db, 1 + (picks[0]! % 3));
        };
        const logs = new Map<string, { log: string[]; archived: boolean; account: string }>();
        for (const [i, spec] of lives.entries()) {
          const id = `s${i}`;
          await storeWhole(store, session({ id, accountId: spec.account, log: spec.first }));
          await maybeIndex();
          let log = [...spec.first];
          let version = 2;
          for (const batch of spec.appended) {
            await writeLog(store, id, spec.account, (log = [...log, ...batch]), version++);
            await maybeIndex();
          }
          if (spec.rewrite) await writeLog(store, id, spec.account, (log = spec.rewrite), version++);
          await maybeIndex();
          if (spec.archived) await store.db.updateTable('sessions').set({ archived: 1 }).where('id', '=', id).execute();
          await maybeIndex();
          if (spec.late) await writeLog(store, id, spec.account, (log = [...log, ...spec.late]), version++);
          await maybeIndex();
          logs.set(id, { log, archived: spec.archived, account: spec.account });
        }
        // Needles cut from the logs as stored (so many cross a line, hence a chunk), their case
        // flipped, and text typed from the same characters.
        const texts = [...logs.values()].map((s) => s.log.join('\n'));
        const cut = picks.map((p, i) => {
          const text = [...texts[p % texts.length]!];
          const newlines = text.flatMap((char, at) => (char === '\n' ? [at] : []));
          // Every other cut straddles a line break, a few characters either side.
          const start = i % 2 && newlines.length ? Math.max(0, newlines[(p >> 3) % newlines.length]! - (p % 4)) : (p >> 3) % Math.max(1, text.length);
          // 1 to 8 characters: needles under 3 have no trigram, so the rows are checked instead.
          const cutText = text.slice(start, start + 1 + (p % 8)).join('');
          return i % 4 === 3 ? cutText.toUpperCase() : cutText;
        });
        const needles = [...cut, ...typed, ...typed.map((t) => `${t}\n${t}`)].filter((n) => n !== '');
        for (const needle of needles) {
          for (const searchArchive of [false, true]) {
            const expected = [...logs].filter(([, s]) => (searchArchive || !s.archived) && contains(s.log, needle)).map(([id]) => id).sort();
            expect(await searchLog(store, needle, searchArchive), JSON.stringify({ needle, searchArchive })).toEqual(expected);
          }
          const inA = [...logs].filter(([, s]) => s.account === 'acct_a' && !s.archived && contains(s.log, needle)).map(([id]) => id).sort();
          expect(await searchLog(store, needle, false, ['acct_a'])).toEqual(inA);
        }
      }),
      { numRuns: 60 },
    );
    // Needles of every length since short ones are answered: ~30 s on PostgreSQL on a shared 2-core machine.
  }, 120_000);

  it('finds a line appended through the API, and text spanning it and the line before', async () => {
    const srv = await startSignedInServer([session({ id: 'c1', log: ['Caller asked about invoice 7781'] })]);
    const appended = await srv.fetch(`${srv.url}/sessions/c1/log`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'Refund R-2231 approved' }),
    });
    expect(appended.status).toBe(200);
    const search = async (needle: string) => {
      const res = await srv.fetch(`${srv.url}/sessions?log=${encodeURIComponent(needle)}`);
      return ((await res.json()) as { items: { id: string }[] }).items.map((i) => i.id);
    };
    expect(await search('REFUND r-2231')).toEqual(['c1']);
    expect(await search('7781\nrefund')).toEqual(['c1']);
    expect(await search('1\nR')).toEqual(['c1']);
    expect(await search('7781 refund')).toEqual([]);
    // Shorter than the index's trigrams: answered by reading the logs, with the same semantics.
    expect(await search('r-')).toEqual(['c1']);
    expect(await search('\nR')).toEqual(['c1']);
    expect(await search('Q')).toEqual([]);
  });
});

describe('a search while the index lags behind the writes', () => {
  it('answers from the rows of sessions not indexed yet, before and after the indexer catches up', async () => {
    // Where indexing is deferred (SQLite), nothing indexes until told; elsewhere every write indexed itself.
    const store = await openStore(await freshDatabaseUrl(), { indexInBackground: false });
    try {
      await store.migrate();
      const indexAll = () => store.capabilities.textSearch.indexPending?.(store.db, 1000);
      const archive = (id: string, archived: number) => store.db.updateTable('sessions').set({ archived }).where('id', '=', id).execute();
      for (const [id, log] of [['appended', ['alpha one']], ['rewritten', ['charlie three']], ['archived', ['echo five']], ['restored', ['golf seven']]] as const) {
        await storeWhole(store, session({ id, log: [...log], from: id === 'appended' ? '+15035550123' : undefined }));
      }
      await archive('archived', 1);
      await archive('restored', 1);
      await indexAll();
      // Now every kind of change the index must catch up with, none of it indexed yet:
      await writeLog(store, 'appended', 'acct_a', ['alpha one', 'bravo two'], 2);
      await store.db.updateTable('sessions').set({ from_address: '+15035550999' }).where('id', '=', 'appended').execute();
      await writeLog(store, 'rewritten', 'acct_a', ['delta four'], 2);
      await writeLog(store, 'archived', 'acct_a', ['echo five', 'foxtrot six'], 2);
      await archive('restored', 0);
      await storeWhole(store, session({ id: 'unindexed', log: ['hotel eight'] }));
      const lists = new SessionListRepository(store.db, store.capabilities.textSearch);
      const expectFound = async (query: { log?: string; from?: string; searchArchive?: boolean }, ids: string[]) => {
        const full = { accountIds: 'all' as const, searchArchive: false, ...query };
        const page = (await lists.page(full, byId, 0, 100)).map((document) => (JSON.parse(document) as SessionInfo).id);
        expect({ query, page, count: await lists.count(full) }).toEqual({ query, page: ids, count: ids.length });
      };
      for (const round of ['noted', 'indexed']) {
        if (round === 'indexed') expect(await indexAll()).toBe(store.capabilities.kind === 'sqlite' ? 5 : undefined);
        await expectFound({ log: 'BRAVO' }, ['appended']);
        await expectFound({ log: 'alpha' }, ['appended']);
        await expectFound({ log: 'charlie' }, []);
        await expectFound({ log: 'delta' }, ['rewritten']);
        await expectFound({ log: 'echo', searchArchive: true }, ['archived']);
        await expectFound({ log: 'foxtrot', searchArchive: true }, ['archived']);
        await expectFound({ log: 'foxtrot' }, []);
        await expectFound({ log: 'golf' }, ['restored']);
        await expectFound({ log: 'hotel' }, ['unindexed']);
        await expectFound({ from: '5550123' }, []);
        await expectFound({ from: '5550999' }, ['appended']);
        await expectFound({ from: '5550999', log: 'two' }, ['appended']);
      }
    } finally {
      await store.close();
    }
  });
});

describe('a text in many sessions', () => {
  it('pages alike whether its hits are sorted or the newest sessions are checked against the index', async () => {
    const store = await openStore(await freshDatabaseUrl(), { indexInBackground: false });
    onTestFinished(() => store.close());
    await store.migrate();
    await loadGenerated(store, { ...DEFAULT_GENERATOR, sessions: 4000, accounts: 1, endAt: new Date('2026-11-27T00:00:00Z') });
    await store.db.updateTable('sessions').set({ archived: 1 }).where('date_created', '<', '2026-09-28').execute();
    const lists = new SessionListRepository(store.db, store.capabilities.textSearch);
    const newest = { field: 'dateCreated', order: 'Descend' } as const;
    // First with the archived sessions only noted for indexing (where indexing is deferred), then indexed.
    for (const indexed of [false, true]) {
      if (indexed) while ((await store.capabilities.textSearch.indexPending?.(store.db, 1000)) ?? 0);
      for (const log of ['call completed', 'answered by']) {
        for (const searchArchive of [false, true]) {
          const query = { accountIds: 'all' as const, searchArchive, log };
          const count = await lists.count(query);
          expect(count).toBeGreaterThan(1000);
          // Told the count, a first page walks the date index; not told, it sorts the hits.
          for (const offset of [0, 100, count - 30]) expect(await lists.page(query, newest, offset, 25, count)).toEqual(await lists.page(query, newest, offset, 25));
        }
      }
    }
  });
});

/** A session stored as an import stores it, on a schema from before the stream's change log (migration 011). */
const insertBeforeStream = (store: Store, stored: SessionInfo) =>
  store.db.transaction().execute((trx) => insertSnapshots(trx, [snapshotWrite(stored, 'import', new Date().toISOString())], false));

describe('migration 007 defers indexing', () => {
  it('keeps finding what 005 indexed, indexes later writes in the background, and indexes every note when undone', async () => {
    const url = await freshDatabaseUrl();
    const store = await openStore(url);
    try {
      await migrateTo(store, '006-search-subtree-index');
      await insertBeforeStream(store, session({ id: 'before', log: ['Gateway timeout after 30s'] }));
      await store.migrate();
      await storeWhole(store, session({ id: 'after', log: ['Gateway timeout again'] }));
      expect(await searchLog(store, 'gateway timeout', false)).toEqual(['after', 'before']);
      if (store.capabilities.kind === 'sqlite') {
        // The indexer `migrate` started catches up on its own.
        await expect.poll(() => store.db.selectFrom('session_search_pending' as never).select(sql<number>`count(*)`.as('n')).executeTakeFirst(), { timeout: 5000 }).toEqual({ n: 0 });
      }
    } finally {
      await store.close();
    }
    // Undone (by a store that indexes nothing in the background, as 005's code would not).
    const again = await openStore(url, { indexInBackground: false });
    try {
      await writeLog(again, 'after', 'acct_a', ['Gateway timeout again', 'Noted, not indexed'], 2);
      await migrateTo(again, '006-search-subtree-index');
      await insertBeforeStream(again, session({ id: 'undone', log: ['Indexed by its own write'] }));
      if (again.capabilities.kind === 'sqlite') {
        // What 005's search reads: the note was indexed on the way down, the later write by its own trigger.
        const indexed = async (text: string) =>
          (await sql<{ n: number }>`SELECT count(*) AS n FROM session_log_search WHERE session_log_search MATCH ${`"${text}"`}`.execute(again.db)).rows[0]!.n;
        expect([await indexed('not indexed'), await indexed('its own write')]).toEqual([1, 1]);
      }
      await again.migrate();
      expect(await searchLog(again, 'not INDEXED', false)).toEqual(['after']);
      expect(await searchLog(again, 'its own write', false)).toEqual(['undone']);
    } finally {
      await again.close();
    }
  });
});

describe('migration 005 converts a database indexed by 004', () => {
  it('finds the sessions written before it, and keeps indexing afterwards', async () => {
    const url = await freshDatabaseUrl();
    const store = await openStore(url);
    try {
      // A fresh database may come migrated (PostgreSQL's are copies of a template): back to 004.
      await migrateTo(store, '004-session-lists');
      await insertBeforeStream(store, session({ id: 'old', log: ['Gateway timeout after 30s', 'Call completed'], from: '+15035550123' }));
      await store.db.updateTable('sessions').set({ archived: 1 }).where('id', '=', 'old').execute();
      await insertBeforeStream(store, session({ id: 'live', log: ['Gateway timeout after 30s'] }));
      await store.migrate();

      expect(await searchLog(store, 'gateway TIMEOUT', false)).toEqual(['live']);
      expect(await searchLog(store, 'gateway TIMEOUT', true)).toEqual(['live', 'old']);
      expect(await searchLog(store, '30s\ncall', true)).toEqual(['old']);
      await storeWhole(store, session({ id: 'new', log: ['Gateway timeout again'] }));
      expect(await searchLog(store, 'gateway timeout', false)).toEqual(['live', 'new']);
      const lists = new SessionListRepository(store.db, store.capabilities.textSearch);
      expect(await lists.count({ accountIds: 'all', searchArchive: true, from: '5550123' })).toBe(1);
    } finally {
      await store.close();
    }
  });
});
