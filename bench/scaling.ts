import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { ApiKeysRepository } from '../src/auth/api-keys-repository.js';
import { AccountsRepository } from '../src/directory/accounts-repository.js';
import { SessionInfo } from '../src/model/session-info.js';
import { sessionWriter } from '../src/events/session-writer.js';
import { openStore } from '../src/store/open-store.js';
import { writeJson } from '../src/wire/json-writer.js';
import { writeXml } from '../src/wire/xml-writer.js';
import { postgresBinDir, startPostgresCluster } from '../test/support/postgres-cluster.js';
import { repositoryRoot, spawnServe, type ServeProcess } from '../test/support/serve-process.js';
import { startChild } from './lib/child-server.js';
import { cpuSeconds } from './lib/cpu.js';
import { hasWrk, wrkAcross, type Throughput } from './lib/load.js';
import { goldenWith20Log } from './lib/sessions.js';

const SESSIONS = Number(process.env.SESSIONS ?? 10_000);
/** Sessions the ingest rows append to, at random: many calls live at once. */
const LIVE_SESSIONS = 1_000;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = 32;

const sessionId = (i: number) => i.toString(16).padStart(24, '0');

interface Row extends Throughput {
  readonly setup: string;
  /** CPU milliseconds per request in the Switchboard processes, and in PostgreSQL where it is used. */
  readonly serverCpuMs?: number;
  readonly databaseCpuMs?: number;
}

/**
 * GET /sessions/{id} over 10,000 sessions (random ids, 20-entry logs), then event ingest, on SQLite
 * and PostgreSQL in the same run, with one and two `switchboard serve` instances (the production build, each its own
 * process; wrk splits the connections between them as a load balancer would), against the bare
 * node:http baseline. PostgreSQL runs with production durability (fsync, synchronous commit).
 * `SESSIONS=… BENCH_SECONDS=… npm run bench -- scaling`.
 */
export async function benchScaling(): Promise<void> {
  const bin = postgresBinDir();
  if (!hasWrk() || !bin) {
    console.log('scaling: needs wrk and PostgreSQL (apt-get install wrk postgresql); skipped');
    return;
  }
  const build = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], { cwd: repositoryRoot, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('build failed');

  const dir = mkdtempSync(join(tmpdir(), 'switchboard-scaling-'));
  const cluster = await startPostgresCluster(bin, { durable: true });
  const rows: Row[] = [];
  const ingestRows: Row[] = [];
  try {
    const session = goldenWith20Log();
    writeFileSync(join(dir, 'session.json'), writeJson(SessionInfo, session));
    writeFileSync(join(dir, 'session.xml'), writeXml(SessionInfo, session));
    // Each wrk thread picks ids at random: reads spread over the table, as a contact center's do.
    const script = join(dir, 'random-id.lua');
    writeFileSync(script, `math.randomseed(os.time())\nrequest = function() return wrk.format(nil, string.format("/sessions/%024x", math.random(0, ${SESSIONS - 1}))) end\n`);

    const sqlite = join(dir, 'bench.db');
    const admin = new pg.Client({ connectionString: cluster.serverUrl + 'postgres' });
    await admin.connect();
    await admin.query('CREATE DATABASE bench');
    await admin.end();
    const postgres = cluster.serverUrl + 'bench';
    const keys = new Map<string, string>();
    for (const url of [sqlite, postgres]) keys.set(url, await seed(url, session));
    // POST /sessions/events: one LogAppended per request to one of LIVE_SESSIONS chats, each event
    // id unique across the run (the instance's index keeps two wrk processes apart).
    const ingestScript = join(dir, 'ingest.lua');
    writeFileSync(
      ingestScript,
      [
        'local prefix, n = "0", 0',
        'function init(args) prefix = args[1] or "0"; math.randomseed(os.time() + tonumber(prefix)) end',
        'request = function()',
        '  n = n + 1',
        `  local body = string.format('{"accountId":"acct_0","events":[{"id":"%s-%d-%d","source":"bench","sessionKey":"chat-%d","type":"LogAppended","occurredAt":"2026-11-27T14:00:00Z","data":{"message":"line %d"}}]}', prefix, os.time(), n, math.random(0, ${LIVE_SESSIONS - 1}), n)`,
        '  return wrk.format("POST", "/sessions/events", nil, body)',
        'end',
      ].join('\n'),
    );

    const bare = await startChild('bare-server.ts', [join(dir, 'session.json'), join(dir, 'session.xml')]);
    await wrkAcross([bare.url + '/sessions/x'], { seconds: 2 });
    rows.push({ setup: 'node:http baseline (same bytes)', ...(await wrkAcross([bare.url + '/sessions/x'], { connections: CONNECTIONS, seconds: SECONDS })) });
    await bare.stop();

    for (const [setup, database, count, databasePid] of [
      ['SQLite, 1 instance', sqlite, 1, undefined],
      ['SQLite, 2 instances (reads only)', sqlite, 2, undefined],
      ['PostgreSQL, 1 instance', postgres, 1, cluster.pid],
      ['PostgreSQL, 2 instances', postgres, 2, cluster.pid],
    ] as const) {
      const servers = await Promise.all(Array.from({ length: count }, () => spawnServe(['--database', database], ['bin/switchboard.js'])));
      const headers = { authorization: `Bearer ${keys.get(database)}` };
      try {
        rows.push({ setup, ...(await measure(servers, script, headers, databasePid)) });
        if (setup !== 'SQLite, 2 instances (reads only)') {
          ingestRows.push({ setup, ...(await measure(servers, ingestScript, { ...headers, 'content-type': 'application/json' }, databasePid)) });
        }
      } finally {
        await Promise.all(servers.map((s) => s.stop()));
      }
    }
  } finally {
    cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  }

  printTable(`GET /sessions/{id}: ${SESSIONS} sessions, random ids, wrk -c${CONNECTIONS} split over the instances, ${SECONDS} s per row`, rows);
  printTable(`POST /sessions/events: one LogAppended per request to ${LIVE_SESSIONS} live sessions, durable before the 200, wrk -c${CONNECTIONS}, ${SECONDS} s per row`, ingestRows);
}

function printTable(title: string, rows: readonly Row[]) {
  console.log(`\n${title}`);
  console.log('| setup | req/s | p50 ms | p99 ms | Switchboard CPU ms/req | PostgreSQL CPU ms/req |');
  console.log('|---|---:|---:|---:|---:|---:|');
  const f = (n: number | undefined, digits = 2) => (n === undefined ? '–' : n.toFixed(digits));
  for (const r of rows) console.log(`| ${r.setup} | ${f(r.rps, 0)} | ${f(r.p50ms)} | ${f(r.p99ms)} | ${f(r.serverCpuMs, 3)} | ${f(r.databaseCpuMs, 3)} |`);
}

/** The sessions, their account, and a Manager API key of it (returned). */
async function seed(url: string, session: SessionInfo): Promise<string> {
  const store = await openStore(url);
  await store.migrate();
  const now = new Date();
  await new AccountsRepository(store.db).create({ id: 'acct_0', name: 'Bench' }, now);
  const { key } = await new ApiKeysRepository(store.db).create({ accountId: 'acct_0', name: 'bench', roles: ['Manager'] }, now);
  const writer = sessionWriter(store, { now: () => now });
  for (let start = 0; start < SESSIONS; start += 500) {
    const writes = Array.from({ length: Math.min(500, SESSIONS - start) }, (_, i) => ({ session: { ...session, id: sessionId(start + i), accountId: 'acct_0' }, source: 'generate' as const }));
    await writer.writeWhole(writes);
  }
  await store.close();
  return key;
}

async function measure(servers: readonly ServeProcess[], script: string, headers: Record<string, string>, databasePid?: number) {
  const urls = servers.map((s) => s.url);
  const pids = servers.map((s) => s.child.pid!);
  await wrkAcross(urls, { connections: CONNECTIONS, seconds: 2, script, headers }); // warm-up: JIT, pools, caches
  const before = [cpuSeconds(pids), databasePid ? cpuSeconds([databasePid]) : 0] as const;
  const result = await wrkAcross(urls, { connections: CONNECTIONS, seconds: SECONDS, script, headers });
  const after = [cpuSeconds(pids), databasePid ? cpuSeconds([databasePid]) : 0] as const;
  const perRequest = (seconds: number) => (seconds * 1000) / (result.rps * SECONDS);
  return {
    ...result,
    serverCpuMs: perRequest(after[0] - before[0]),
    databaseCpuMs: databasePid ? perRequest(after[1] - before[1]) : undefined,
  };
}
