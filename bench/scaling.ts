/**
 * GET /sessions/{id} on SQLite and PostgreSQL in the same run, one vs two instances, against a
 * bare node:http baseline. Every server is its own process (`node bin/switchboard.js serve`, built
 * fresh); the load generator is this process, a closed loop of keep-alive connections spread
 * round-robin over the instances (what a load balancer does).
 *
 *   npm run bench:scaling                      # 10,000 sessions, 5 s per run, 32 connections
 *   SESSIONS=100000 DURATION_MS=10000 CONNECTIONS=64 npm run bench:scaling
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { SessionInfo } from '../src/model/session-info.js';
import { sessionRow } from '../src/sessions/session-row.js';
import { openStore } from '../src/store/open-store.js';
import { postgresBinDir, startPostgresCluster } from '../test/support/postgres-cluster.js';
import { runLoad, type LoadResult } from './support/load.js';
import { cpuSeconds, startProcess, type Started } from './support/processes.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const SESSIONS = Number(process.env.SESSIONS ?? 10_000);
const DURATION_MS = Number(process.env.DURATION_MS ?? 5_000);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 32);

const golden = JSON.parse(readFileSync(join(root, '../shared/fixtures/session-golden.json'), 'utf8')) as SessionInfo;
const ids = Array.from({ length: SESSIONS }, (_, i) => i.toString(16).padStart(24, '0'));

async function seed(url: string): Promise<void> {
  const store = await openStore(url);
  await store.migrate();
  for (let start = 0; start < ids.length; start += 500) {
    const rows = ids.slice(start, start + 500).map((id, i) => sessionRow({ ...golden, id, accountId: `acct_${(start + i) % 50}` }, 1));
    await store.db.insertInto('sessions').values(rows).execute();
  }
  await store.close();
}

const serve = (database: string) =>
  startProcess(process.execPath, ['bin/switchboard.js', 'serve', '--database', database, '--port', '0', '--host', '127.0.0.1', '--log-level', 'warn'], root);

interface Row extends LoadResult {
  readonly name: string;
  /** CPU milliseconds per request: servers, and the database server where there is one. */
  readonly serverCpuMs: number;
  readonly databaseCpuMs: number;
}

async function measure(name: string, servers: readonly Started[], databasePid?: number): Promise<Row> {
  const serverPids = servers.map((s) => s.child.pid!);
  const paths = ids.map((id) => `/sessions/${id}`);
  const next = (i: number) => servers[i % servers.length]!.url + paths[(i * 7919) % paths.length];
  await runLoad(next, { connections: CONNECTIONS, durationMs: 1_000 }); // warm-up: JIT, pools, caches
  const cpu0 = [cpuSeconds(serverPids), databasePid ? cpuSeconds([databasePid]) : 0];
  const result = await runLoad(next, { connections: CONNECTIONS, durationMs: DURATION_MS });
  const cpu1 = [cpuSeconds(serverPids), databasePid ? cpuSeconds([databasePid]) : 0];
  const perRequest = (seconds: number) => (seconds * 1000) / Math.max(1, result.requests);
  return { name, ...result, serverCpuMs: perRequest(cpu1[0]! - cpu0[0]!), databaseCpuMs: perRequest(cpu1[1]! - cpu0[1]!) };
}

async function main() {
  const build = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('build failed');
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL is not installed (apt-get install postgresql): this benchmark compares it with SQLite');

  const dir = mkdtempSync(join(tmpdir(), 'switchboard-bench-'));
  const cluster = await startPostgresCluster(bin, { durable: true });
  const rows: Row[] = [];
  try {
    const sqlitePath = join(dir, 'bench.db');
    const admin = new pg.Client({ connectionString: cluster.serverUrl + 'postgres' });
    await admin.connect();
    await admin.query('CREATE DATABASE bench');
    await admin.end();
    const postgresUrl = cluster.serverUrl + 'bench';
    await seed(sqlitePath);
    await seed(postgresUrl);

    const baseline = await startProcess(process.execPath, ['--import', 'tsx', 'bench/support/baseline-server.ts', JSON.stringify(golden)], root);
    rows.push(await measure('node:http baseline (fixed bytes)', [baseline]));
    await baseline.stop();

    for (const [name, database, count, pid] of [
      ['SQLite, 1 instance', sqlitePath, 1, undefined],
      ['SQLite, 2 instances (reads only)', sqlitePath, 2, undefined],
      ['PostgreSQL, 1 instance', postgresUrl, 1, cluster.pid],
      ['PostgreSQL, 2 instances', postgresUrl, 2, cluster.pid],
    ] as const) {
      const servers = await Promise.all(Array.from({ length: count }, () => serve(database)));
      rows.push(await measure(name, servers, pid));
      await Promise.all(servers.map((s) => s.stop()));
    }
  } finally {
    cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  }

  console.log(`\nGET /sessions/{id}: ${SESSIONS} sessions, ${CONNECTIONS} connections, ${DURATION_MS / 1000} s per row`);
  console.log('| setup | req/s | p50 ms | p95 ms | p99 ms | errors | server CPU ms/req | database CPU ms/req |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  const f = (n: number, digits = 2) => n.toFixed(digits);
  for (const r of rows) {
    console.log(`| ${r.name} | ${f(r.perSecond, 0)} | ${f(r.p50)} | ${f(r.p95)} | ${f(r.p99)} | ${r.errors} | ${f(r.serverCpuMs, 3)} | ${r.databaseCpuMs ? f(r.databaseCpuMs, 3) : '–'} |`);
  }
}

await main();
