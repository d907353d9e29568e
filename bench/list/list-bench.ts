/**
 * bench/list: ListSessions at scale. Generates (once, cached under data/bench/) N realistic sessions
 * with the same generator as `switchboard generate`, starts the built server as a child process
 * and measures, one request at a time, p50/p95 of the four queries against a baseline
 * (GET /sessions/{id}: the HTTP stack plus a primary-key read) in the same run, and the server's RSS.
 *
 *   npm run bench:list                        # 1,000,000 sessions
 *   BENCH_SESSIONS=100000 npm run bench:list  # smaller, faster
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CONFIG } from '../../src/config.js';
import { generateCommand } from '../../src/generate/generate-command.js';
import { openStore } from '../../src/store/open-store.js';
import { BENCH_ACCOUNT as ACCOUNT, benchNeedles } from './needles.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const sessions = Number(process.env.BENCH_SESSIONS ?? 1_000_000);
const runs = Number(process.env.BENCH_RUNS ?? 200);
const database = `${root}data/bench/list-${sessions}.db`;

if (!existsSync(database)) {
  console.log(`Generating ${sessions} sessions into ${database} (once; later runs reuse it)…`);
  await generateCommand({ ...DEFAULT_CONFIG, databaseUrl: database }, [String(sessions)], console.log, new Date());
}

// What to ask for, read from the data itself: its last day, numbers and log text that exist.
const store = await openStore(database);
const { last } = await store.db.selectFrom('sessions').select((eb) => eb.fn.max('date_created').as('last')).where('account_id', '=', ACCOUNT).executeTakeFirstOrThrow();
const lastDay = String(last).slice(0, 10);
const { picked, numbers: numberNeedles, selective: selectiveNeedles, common: commonNeedles, short: shortNeedles } = await benchNeedles(store.db);
await store.close();

const QUERIES: Record<string, (i: number) => string> = {
  'baseline: GET /sessions/{id}': (i) => `/sessions/${picked[i % picked.length]!.id}`,
  'one account, last day, page 40': () => `/sessions?accountIds=${ACCOUNT}&startDate=${lastDay}&endDate=${lastDay}&page=40`,
  'from-number contains': (i) => `/sessions?accountIds=${ACCOUNT}&from=${encodeURIComponent(numberNeedles[i % numberNeedles.length]!)}`,
  'log text search (selective text)': (i) => `/sessions?accountIds=${ACCOUNT}&log=${encodeURIComponent(selectiveNeedles[i % selectiveNeedles.length]!)}`,
  'log text search (selective), archive too': (i) => `/sessions?accountIds=${ACCOUNT}&searchArchive=true&log=${encodeURIComponent(selectiveNeedles[i % selectiveNeedles.length]!)}`,
  'log text search (phrase in 12-18% of calls)': (i) => `/sessions?accountIds=${ACCOUNT}&log=${encodeURIComponent(commonNeedles[i % commonNeedles.length]!)}`,
  'log text search, 1–2 characters (no index: rows read)': (i) => `/sessions?accountIds=${ACCOUNT}&log=${encodeURIComponent(shortNeedles[i % shortNeedles.length]!)}`,
  'log text search, 1–2 characters, simplifiedPaging': (i) => `/sessions?accountIds=${ACCOUNT}&simplifiedPaging=true&log=${encodeURIComponent(shortNeedles[i % shortNeedles.length]!)}`,
  'customer subtree (a region)': (i) => `/sessions?accountIds=${ACCOUNT}&customerIds=${ACCOUNT}_c${i % 5}`,
};

console.log('Building…');
const built = spawnSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '-p', `${root}tsconfig.json`], { stdio: 'inherit' });
if (built.status !== 0) process.exit(1);
// Signed in as every real client is: the first start makes this SystemAdministrator.
const admin = { userName: 'bench-admin@switchboard.local', password: 'bench-list-password' };
const server = spawn(process.execPath, [`${root}dist/cli/run.js`, 'serve', '--database', database, '--port', '0', '--host', '127.0.0.1', '--log-level', 'warn'], {
  stdio: ['ignore', 'pipe', 'inherit'],
  env: { ...process.env, SWITCHBOARD_ADMIN_EMAIL: admin.userName, SWITCHBOARD_ADMIN_PASSWORD: admin.password },
});
const url = await new Promise<string>((resolve, reject) => {
  server.stdout.on('data', (chunk: Buffer) => {
    const found = /listening on (http:\/\/\S+)/.exec(chunk.toString());
    if (found) resolve(found[1]!);
  });
  server.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
});

const signIn = await fetch(`${url}/auth/credentials`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ ...admin, rememberMe: true }),
});
if (signIn.status !== 200) throw new Error(`sign-in failed: ${signIn.status} ${await signIn.text()}`);
const cookie = signIn.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');

const rssMb = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMb())), 50);

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const rows: string[] = [];
for (const [name, path] of Object.entries(QUERIES)) {
  const times: number[] = [];
  let items = 0;
  let total = 0;
  for (let i = -10; i < runs; i++) {
    const started = performance.now();
    const res = await fetch(url + path(Math.abs(i)), { headers: { cookie } });
    const body = await res.text();
    const elapsed = performance.now() - started;
    if (res.status !== 200) throw new Error(`${name}: ${res.status} ${body.slice(0, 200)}`);
    if (i < 0) continue;
    times.push(elapsed);
    const parsed = JSON.parse(body) as { items?: unknown[]; totalCount?: number };
    items += parsed.items?.length ?? 1;
    total += parsed.totalCount ?? 1;
  }
  times.sort((a, b) => a - b);
  rows.push(`| ${name} | ${percentile(times, 50).toFixed(1)} | ${percentile(times, 95).toFixed(1)} | ${(items / runs).toFixed(0)} | ${(total / runs).toFixed(0)} |`);
}
clearInterval(sampler);
const finalRss = rssMb();
server.kill('SIGTERM');

console.log(`\nListSessions over ${sessions.toLocaleString('en')} sessions (${runs} sequential requests each, after 10 warm-ups; last day ${lastDay})\n`);
console.log('| query | p50 ms | p95 ms | items/page | totalCount |');
console.log('|---|---|---|---|---|');
for (const row of rows) console.log(row);
console.log(`\nServer RSS: peak ${peakRss.toFixed(0)} MB while serving, ${finalRss.toFixed(0)} MB at the end.`);
