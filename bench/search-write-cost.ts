/**
 * bench/search-write-cost: what the SQLite search engine's triggers add to each write of a session
 * row, and what its indexer and its tables cost (src/search/sqlite/README.md quotes it). Two
 * SQLite files migrated alike, one with the search triggers on `sessions` dropped (the baseline),
 * written the same rows in alternating slices, each write its own transaction as ingest's are.
 *
 *   npx tsx bench/search-write-cost.ts [sessions]     # default 3,000; also `npm run bench -- search-write-cost`
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { SessionInfo } from '../src/model/session-info.js';
import { sessionRow } from '../src/sessions/session-row.js';
import { openStore, type Store } from '../src/store/open-store.js';
import { benchSessions } from './lib/sessions.js';

const SLICE = 100;
const SEARCH_TRIGGERS = ['sessions_search_insert', 'sessions_search_addresses', 'sessions_search_log_noted', 'sessions_search_delete'];

interface Cost {
  cpuUs: number;
  wallUs: number;
}

export async function benchSearchWriteCost(count = 3000): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-search-cost-'));
  const open = async (name: string) => {
    const store = await openStore(join(dir, `${name}.db`), { indexInBackground: false });
    await store.migrate();
    return store;
  };
  const withSearch = await open('with');
  const without = await open('without');
  try {
    for (const trigger of SEARCH_TRIGGERS) await sql.raw(`DROP TRIGGER ${trigger}`).execute(without.db);
    const sessions = benchSessions(count).map((s, i) => ({ ...s, fromAddress: `+1503555${String(i).padStart(4, '0')}` }));
    const appended = sessions.map((s) => ({ ...s, log: [...s.log!, { date: s.dateCreated!, message: `Transferred to agent ${s.id!.slice(-4)}` }] }));
    const stateOnly = appended.map((s) => ({ ...s, ended: !s.ended }));

    const rows: string[] = [];
    const report = (what: string, a: Cost, b: Cost) =>
      rows.push(`| ${what} | ${a.cpuUs.toFixed(0)} (${a.wallUs.toFixed(0)}) | ${b.cpuUs.toFixed(0)} (${b.wallUs.toFixed(0)}) | ${(a.cpuUs - b.cpuUs).toFixed(0)} | ${(a.cpuUs / b.cpuUs).toFixed(2)}× |`);

    const insert = (store: Store, s: SessionInfo) => store.db.insertInto('sessions').values(sessionRow(s, 1)).execute();
    const update = (version: number) => (store: Store, s: SessionInfo) =>
      store.db.updateTable('sessions').set(sessionRow(s, version)).where('account_id', '=', s.accountId!).where('id', '=', s.id!).execute();

    const [insertWith, insertWithout] = await alternate(withSearch, without, sessions, insert);
    report('insert a session (20-line log)', insertWith, insertWithout);
    const indexInserts = await indexAll(withSearch);
    const [appendWith, appendWithout] = await alternate(withSearch, without, appended, update(2));
    report('append a log line', appendWith, appendWithout);
    const indexAppends = await indexAll(withSearch);
    const [stateWith, stateWithout] = await alternate(withSearch, without, stateOnly, update(3));
    report('change state only (log untouched)', stateWith, stateWithout);

    console.log(`\nSearch triggers on SQLite: ${count.toLocaleString('en')} sessions, each write its own transaction, slices of ${SLICE} alternated between the two files\n`);
    console.log('| write | with search: CPU µs (wall) | without: CPU µs (wall) | triggers add, CPU µs | ratio |');
    console.log('|---|---|---|---|---|');
    for (const row of rows) console.log(row);
    console.log(`\nThe indexer (batches of 256 notes, one transaction each): ${indexInserts.toFixed(0)} µs CPU per new session, ${indexAppends.toFixed(0)} per appended line.`);
    const sizes = await searchSize(withSearch);
    console.log(`Search tables: ${(sizes.search / count).toFixed(0)} bytes per session (${(sizes.search / 1e6).toFixed(1)} MB), against ${(sizes.sessions / count).toFixed(0)} for the sessions table and its indexes.`);
  } finally {
    await withSearch.close();
    await without.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Writes `items` to both stores, alternating slices (so load on the machine falls on both alike): cost per write on each. */
async function alternate(a: Store, b: Store, items: readonly SessionInfo[], write: (store: Store, s: SessionInfo) => Promise<unknown>): Promise<[Cost, Cost]> {
  const total = [
    { cpuUs: 0, wallUs: 0 },
    { cpuUs: 0, wallUs: 0 },
  ];
  for (let i = 0; i < items.length; i += SLICE) {
    const order = (i / SLICE) % 2 === 0 ? [0, 1] : [1, 0];
    for (const which of order) {
      const store = which === 0 ? a : b;
      const cpu = process.cpuUsage();
      const started = performance.now();
      for (const s of items.slice(i, i + SLICE)) await write(store, s);
      const used = process.cpuUsage(cpu);
      total[which]!.cpuUs += used.user + used.system;
      total[which]!.wallUs += (performance.now() - started) * 1000;
    }
  }
  const per = (t: Cost) => ({ cpuUs: t.cpuUs / items.length, wallUs: t.wallUs / items.length });
  return [per(total[0]!), per(total[1]!)];
}

/** Indexes every note as the background indexer does; CPU µs per note. */
async function indexAll(store: Store): Promise<number> {
  const cpu = process.cpuUsage();
  let notes = 0;
  for (let n; (n = await store.capabilities.textSearch.indexPending!(store.db, 256)) > 0; ) notes += n;
  const used = process.cpuUsage(cpu);
  return (used.user + used.system) / Math.max(notes, 1);
}

/** Bytes on disk of the search engine's tables (FTS5 shadow tables included) and of `sessions` with its indexes. */
async function searchSize(store: Store): Promise<{ search: number; sessions: number }> {
  const { rows } = await sql<{ name: string; tbl: string; bytes: number }>`
    SELECT d.name, coalesce(m.tbl_name, d.name) AS tbl, sum(d.pgsize) AS bytes FROM dbstat d LEFT JOIN sqlite_master m ON m.name = d.name GROUP BY d.name`.execute(store.db);
  const isSearch = (r: { name: string; tbl: string }) => /^session_(search|address_search|log_)/.test(r.tbl) || /^session_(search|address_search|log_)/.test(r.name);
  return {
    search: rows.filter(isSearch).reduce((n, r) => n + r.bytes, 0),
    sessions: rows.filter((r) => r.tbl === 'sessions').reduce((n, r) => n + r.bytes, 0),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) await benchSearchWriteCost(Number(process.argv[2] ?? 3000));
