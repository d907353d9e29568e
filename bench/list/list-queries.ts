/**
 * bench/list/list-queries: the list queries of bench/list run in-process, straight against the
 * repository (count + first page, as ListSessions runs them), without HTTP. On a shared machine
 * this shows what the store costs with less noise than requests through a server.
 *
 *   npx tsx bench/list/list-queries.ts PATH.db [runs] [shape…]
 */
import { SessionListRepository } from '../../src/sessions/list-repository.js';
import type { SessionQuery, SessionSort } from '../../src/sessions/list-query.js';
import { openStore } from '../../src/store/open-store.js';
import { BENCH_ACCOUNT as ACCOUNT, benchNeedles } from './needles.js';

const [database, runsArg, ...only] = process.argv.slice(2);
if (!database) throw new Error('usage: list-queries.ts PATH.db [runs] [shape…]');
const runs = Number(runsArg ?? 100);

const store = await openStore(database);
await store.migrate();
// As `serve` does at start: right after a migration the planner's statistics miss the new indexes,
// and a list then reads a whole account (measured at 1,000,000 sessions: from-number 311 ms, 8 after).
await store.capabilities.refreshStatistics(store.db);
const lists = new SessionListRepository(store.db, store.capabilities.textSearch);

const { numbers, selective, common, short } = await benchNeedles(store.db);
const { last } = await store.db.selectFrom('sessions').select((eb) => eb.fn.max('date_created').as('last')).where('account_id', '=', ACCOUNT).executeTakeFirstOrThrow();
const lastDay = String(last).slice(0, 10);
const nextDay = new Date(Date.parse(lastDay) + 86_400_000).toISOString().slice(0, 10);

const live = { accountIds: [ACCOUNT], searchArchive: false } as const;
const SHAPES: Record<string, (i: number) => Promise<SessionQuery>> = {
  day: async () => ({ ...live, createdFrom: `${lastDay}T00:00:00.000Z`, createdBefore: `${nextDay}T00:00:00.000Z` }),
  from: async (i) => ({ ...live, from: numbers[i % numbers.length]! }),
  selective: async (i) => ({ ...live, log: selective[i % selective.length]! }),
  'selective-archive': async (i) => ({ ...live, searchArchive: true, log: selective[i % selective.length]! }),
  common: async (i) => ({ ...live, log: common[i % common.length]! }),
  short: async (i) => ({ ...live, log: short[i % short.length]! }),
  // As simplifiedPaging asks: no count, the first page and whether another follows.
  'short-simplified': async (i) => ({ ...live, log: short[i % short.length]! }),
  subtree: async (i) => ({ ...live, customerIds: await lists.customerSubtree([ACCOUNT], [`${ACCOUNT}_c${i % 5}`]) }),
};

const newest: SessionSort = { field: 'dateCreated', order: 'Descend' };
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
// CPU time beside wall time: on a loaded machine it shows the work the query did, not the wait.
console.log(`| shape | p50 ms | p95 ms | max ms | p50 CPU ms | p95 CPU ms | totalCount (mean) |`);
console.log('|---|---|---|---|---|---|---|');
for (const [name, shape] of Object.entries(SHAPES)) {
  if (only.length && !only.includes(name)) continue;
  const times: number[] = [];
  const cpu: number[] = [];
  let total = 0;
  for (let i = -5; i < runs; i++) {
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    const query = await shape(Math.abs(i));
    const simplified = name.endsWith('-simplified');
    const count = simplified ? 0 : await lists.count(query);
    if (simplified) await lists.page(query, newest, 0, 26);
    else if (count > 0) await lists.page(query, newest, name === 'day' ? 1000 : 0, 25, count);
    if (i < 0) continue;
    times.push(performance.now() - started);
    const { user, system } = process.cpuUsage(cpuStarted);
    cpu.push((user + system) / 1000);
    total += count;
  }
  times.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  const ms = (n: number) => n.toFixed(1);
  console.log(`| ${name} | ${ms(percentile(times, 50))} | ${ms(percentile(times, 95))} | ${ms(times.at(-1)!)} | ${ms(percentile(cpu, 50))} | ${ms(percentile(cpu, 95))} | ${(total / runs).toFixed(0)} |`);
}
await store.close();
