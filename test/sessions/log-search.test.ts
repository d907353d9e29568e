import fc from 'fast-check';
import { Migrator } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { SessionInfo } from '../../src/model/session-info.js';
import { DEFAULT_GENERATOR } from '../../src/generate/generate-sessions.js';
import { loadGenerated } from '../../src/generate/load-generated.js';
import { SessionListRepository } from '../../src/sessions/list-repository.js';
import { sessionRow } from '../../src/sessions/session-row.js';
import { SessionsRepository } from '../../src/sessions/sessions-repository.js';
import { migrations, StaticMigrationProvider } from '../../src/store/migrations.js';
import { openStore, type Store } from '../../src/store/open-store.js';
import { startSignedInServer } from '../support/server.js';
import { session } from '../support/sessions.js';
import { emptyStore, freshDatabaseUrl, openTestStore } from '../support/test-store.js';

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
  it('matches a scan of the joined log for needles within a line, across appended lines, with quotes, wildcards and Unicode', async () => {
    const store = await openTestStore();
    await fc.assert(
      fc.asyncProperty(fc.array(life, { minLength: 1, maxLength: 5 }), fc.array(fc.nat(), { minLength: 4, maxLength: 4 }), fc.array(line, { minLength: 2, maxLength: 2 }), async (lives, picks, typed) => {
        await emptyStore(store);
        const sessions = new SessionsRepository(store.db);
        const logs = new Map<string, { log: string[]; archived: boolean; account: string }>();
        for (const [i, spec] of lives.entries()) {
          const id = `s${i}`;
          await sessions.insertIfAbsent(session({ id, accountId: spec.account, log: spec.first }));
          let log = [...spec.first];
          let version = 2;
          for (const batch of spec.appended) await writeLog(store, id, spec.account, (log = [...log, ...batch]), version++);
          if (spec.rewrite) await writeLog(store, id, spec.account, (log = spec.rewrite), version++);
          if (spec.archived) await store.db.updateTable('sessions').set({ archived: 1 }).where('id', '=', id).execute();
          if (spec.late) await writeLog(store, id, spec.account, (log = [...log, ...spec.late]), version++);
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
          const cutText = text.slice(start, start + 3 + (p % 6)).join('');
          return i % 4 === 3 ? cutText.toUpperCase() : cutText;
        });
        const needles = [...cut, ...typed, ...typed.map((t) => `${t}\n${t}`)].filter((n) => [...n].length >= 3);
        for (const needle of needles) {
          for (const searchArchive of [false, true]) {
            const expected = [...logs].filter(([, s]) => (searchArchive || !s.archived) && contains(s.log, needle)).map(([id]) => id).sort();
            expect(await searchLog(store, needle, searchArchive), JSON.stringify({ needle, searchArchive })).toEqual(expected);
          }
          const inA = [...logs].filter(([, s]) => s.account === 'acct_a' && !s.archived && contains(s.log, needle)).map(([id]) => id).sort();
          expect(await searchLog(store, needle, false, ['acct_a'])).toEqual(inA);
        }
      }),
      { numRuns: 40 },
    );
  });

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
  });
});

describe('a text in many sessions', () => {
  it('pages alike whether its hits are sorted or the newest sessions are checked against the index', async () => {
    const store = await openTestStore();
    await loadGenerated(store.db, store.capabilities.textSearch, { ...DEFAULT_GENERATOR, sessions: 4000, accounts: 1, endAt: new Date('2026-11-27T00:00:00Z') });
    await store.db.updateTable('sessions').set({ archived: 1 }).where('date_created', '<', '2026-09-28').execute();
    const lists = new SessionListRepository(store.db, store.capabilities.textSearch);
    const newest = { field: 'dateCreated', order: 'Descend' } as const;
    for (const log of ['call completed', 'answered by']) {
      for (const searchArchive of [false, true]) {
        const query = { accountIds: 'all' as const, searchArchive, log };
        const count = await lists.count(query);
        expect(count).toBeGreaterThan(1000);
        // Told the count, a first page walks the date index; not told, it sorts the hits.
        for (const offset of [0, 100]) expect(await lists.page(query, newest, offset, 25, count)).toEqual(await lists.page(query, newest, offset, 25));
      }
    }
  });
});

describe('migration 004 converts a database indexed by 003', () => {
  it('finds the sessions written before it, and keeps indexing afterwards', async () => {
    const url = await freshDatabaseUrl();
    const store = await openStore(url);
    try {
      const migrator = new Migrator({ db: store.db, provider: new StaticMigrationProvider(migrations(store.capabilities)) });
      // A fresh database may come migrated (PostgreSQL's are copies of a template): back to 003.
      await migrator.migrateTo('003-session-lists');
      const sessions = new SessionsRepository(store.db);
      await sessions.insertIfAbsent(session({ id: 'old', log: ['Gateway timeout after 30s', 'Call completed'], from: '+15035550123' }));
      await store.db.updateTable('sessions').set({ archived: 1 }).where('id', '=', 'old').execute();
      await sessions.insertIfAbsent(session({ id: 'live', log: ['Gateway timeout after 30s'] }));
      await store.migrate();

      expect(await searchLog(store, 'gateway TIMEOUT', false)).toEqual(['live']);
      expect(await searchLog(store, 'gateway TIMEOUT', true)).toEqual(['live', 'old']);
      expect(await searchLog(store, '30s\ncall', true)).toEqual(['old']);
      await sessions.insertIfAbsent(session({ id: 'new', log: ['Gateway timeout again'] }));
      expect(await searchLog(store, 'gateway timeout', false)).toEqual(['live', 'new']);
      const lists = new SessionListRepository(store.db, store.capabilities.textSearch);
      expect(await lists.count({ accountIds: 'all', searchArchive: true, from: '5550123' })).toBe(1);
    } finally {
      await store.close();
    }
  });
});
