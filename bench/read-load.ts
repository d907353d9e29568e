import { execFile, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiKeysRepository } from '../src/auth/api-keys-repository.js';
import { AccountsRepository } from '../src/directory/accounts-repository.js';
import { DEFAULT_CONFIG } from '../src/config.js';
import { generateCommand } from '../src/generate/generate-command.js';
import { openStore } from '../src/store/open-store.js';
import { PUBLIC_URL, seedDirectory } from '../test/events/support/directory-seed.js';
import { repositoryRoot, spawnServe } from '../test/support/serve-process.js';
import { BENCH_ACCOUNT } from './list/needles.js';
import { hasWrk } from './lib/load.js';
import { STATUS_CALLBACK_PATH, statusCallbacks, type SignedCallback } from './lib/status-callbacks.js';

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 50_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
/** Rounds of (alone, beside the reads), alternated so that the shared machine's drift hits both alike. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** Signed callbacks per second, sent on a clock whatever the answers do (Twilio does not wait). */
const RATE = Number(process.env.BENCH_RATE ?? 100);
const READ_CONNECTIONS = Number(process.env.BENCH_READ_CONNECTIONS ?? 200);
/** Twilio's webhook timeout: an answer later than this is a lost status callback. */
const TWILIO_TIMEOUT_MS = 15_000;
/** Whether the read clients honour Retry-After (0: they retry at once, as a hostile client would). */
const BACKOFF = process.env.BENCH_READ_BACKOFF !== '0';
/** Extra `serve` flags, to measure a setting (e.g. `--read-workers 0`). */
const SERVE_ARGS = (process.env.BENCH_SERVE_ARGS ?? '').split(' ').filter(Boolean);

interface CallbackRun {
  readonly sent: number;
  /** Milliseconds to each answer; a callback Twilio gave up on counts as Twilio's 15 s. */
  readonly latencies: readonly number[];
  readonly timeouts: number;
  readonly failures: number;
}

interface ReadStats {
  readonly rps: number;
  readonly p50ms: number;
  readonly p99ms: number;
  readonly ok: number;
  readonly unavailable: number;
  readonly other: number;
  readonly socketTimeouts: number;
}

/**
 * Issue 13, finding 4: signed Twilio status callbacks alone, then the same callbacks while wrk
 * holds `BENCH_READ_CONNECTIONS` (200) connections of list and log-search requests, in one run
 * against one `switchboard serve` (the production build) on a generated store of `BENCH_SESSIONS`
 * sessions. Prints the callbacks' p50/p99/max and timeouts both ways, and the reads' throughput,
 * latency and 503s; the readers honour Retry-After unless `BENCH_READ_BACKOFF=0`. Loopback only;
 * BENCH_ROUNDS × (2 × BENCH_SECONDS + 6) s, about a minute, once the data is generated (the first
 * run only, cached in data/bench/).
 */
export async function benchReadLoad(): Promise<void> {
  if (!hasWrk()) {
    console.log('read-load: needs wrk (apt-get install wrk); skipped');
    return;
  }
  const build = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], { cwd: repositoryRoot, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('build failed');

  const cached = await generatedStore();
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-read-load-'));
  const database = join(dir, 'bench.db');
  copyFileSync(cached, database);
  const key = await benchApiKey(database);
  const script = writeReadScript(join(dir, 'reads.lua'));
  const server = await spawnServe(['--database', database, '--public-url', PUBLIC_URL, ...SERVE_ARGS], ['bin/switchboard.js']);
  const port = Number(new URL(server.url).port);
  const headers = { authorization: `Bearer ${key}` };
  try {
    // Warm-up, not reported: JIT, caches, the read workers' statements.
    await Promise.all([sendCallbacks(port, statusCallbacks(0, 200, callStart(0)), 2), runWrk(server.url, script, headers, 8, 2)]);

    const alone: CallbackRun[] = [];
    const loaded: CallbackRun[] = [];
    const reads: ReadStats[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      alone.push(await sendCallbacks(port, statusCallbacks(1 + 2 * round, RATE * SECONDS, callStart(1 + 2 * round)), SECONDS));
      // The reads start first and outlast the callbacks: every callback meets the full read load.
      const reading = runWrk(server.url, script, headers, READ_CONNECTIONS, SECONDS + 4);
      await new Promise((resolve) => setTimeout(resolve, 2000));
      loaded.push(await sendCallbacks(port, statusCallbacks(2 + 2 * round, RATE * SECONDS, callStart(2 + 2 * round)), SECONDS));
      reads.push(await reading);
    }

    const readers = `${READ_CONNECTIONS} wrk connections of GET /sessions (list filters and log search, ${SESSIONS} sessions) ${BACKOFF ? 'honouring' : 'ignoring'} Retry-After`;
    console.log(`\nSigned Twilio status callbacks at ${RATE}/s, alone and beside ${readers}; ${ROUNDS} alternating rounds of ${SECONDS} s${SERVE_ARGS.length ? `; serve ${SERVE_ARGS.join(' ')}` : ''}`);
    console.log('| callbacks | sent | p50 ms | p99 ms | max ms | p99 per round | timeouts (> 15 s) | non-2xx |');
    console.log('|---|---:|---:|---:|---:|---|---:|---:|');
    const row = (name: string, runs: readonly CallbackRun[]) => {
      const all = runs.flatMap((r) => r.latencies).sort((a, b) => a - b);
      const sum = (f: (r: CallbackRun) => number) => runs.reduce((n, r) => n + f(r), 0);
      console.log(`| ${name} | ${sum((r) => r.sent)} | ${percentile(all, 0.5).toFixed(1)} | ${percentile(all, 0.99).toFixed(1)} | ${(all.at(-1) ?? NaN).toFixed(0)} | ${runs.map((r) => percentile([...r.latencies].sort((a, b) => a - b), 0.99).toFixed(0)).join(', ')} | ${sum((r) => r.timeouts)} | ${sum((r) => r.failures)} |`);
      return percentile(all, 0.99);
    };
    const aloneP99 = row('alone', alone);
    const loadedP99 = row(`beside ${READ_CONNECTIONS} read connections`, loaded);
    console.log(`callback p99 beside the reads / alone: ${(loadedP99 / aloneP99).toFixed(2)}×`);
    const total = (f: (r: ReadStats) => number) => reads.reduce((n, r) => n + f(r), 0);
    console.log(
      `reads: ${(total((r) => r.ok) / (ROUNDS * (SECONDS + 4))).toFixed(0)} lists/s answered 200 (${total((r) => r.ok)} 200, ${total((r) => r.unavailable)} 503 + Retry-After, ${total((r) => r.other)} other, ${total((r) => r.socketTimeouts)} wrk timeouts); wrk p50 ${Math.max(...reads.map((r) => r.p50ms)).toFixed(0)} ms, p99 ${Math.max(...reads.map((r) => r.p99ms)).toFixed(0)} ms (worst round, 503s included)`,
    );
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Each run's calls start an hour apart, one after another, as a live stream starts them. */
const callStart = (run: number) => (c: number) => Date.UTC(2026, 10, 27, 14) + run * 3_600_000 + c * 100;

/** The generated sessions plus the seeded Twilio account, made once and reused (each run copies it). */
async function generatedStore(): Promise<string> {
  const file = join(repositoryRoot, 'data', 'bench', `read-load-${SESSIONS}.db`);
  if (existsSync(file)) return file;
  mkdirSync(join(repositoryRoot, 'data', 'bench'), { recursive: true });
  const building = file + '.building';
  rmSync(building, { force: true });
  console.log(`Generating ${SESSIONS} sessions into ${file} (once; later runs reuse it)…`);
  await generateCommand({ ...DEFAULT_CONFIG, databaseUrl: building }, [String(SESSIONS)], console.log, new Date());
  const store = await openStore(building);
  await seedDirectory(store.db);
  await new AccountsRepository(store.db).create({ id: BENCH_ACCOUNT, name: 'Bench' }, new Date());
  await store.close();
  copyFileSync(building, file);
  rmSync(building, { force: true });
  return file;
}

/** A Manager API key of the generated account the reads search. */
async function benchApiKey(database: string): Promise<string> {
  const store = await openStore(database);
  try {
    return (await new ApiKeysRepository(store.db).create({ accountId: BENCH_ACCOUNT, name: 'read-load', roles: ['Manager'] }, new Date())).key;
  } finally {
    await store.close();
  }
}

/**
 * wrk's requests, in turn: what a dashboard and people searching ask for. Counts answers by status
 * (a 503 is a read refused to keep the writes moving, not a failure of the run).
 */
function writeReadScript(file: string): string {
  const a = BENCH_ACCOUNT;
  const paths = [
    `/sessions?accountIds=${a}&log=gateway%20timeout`,
    `/sessions?accountIds=${a}&log=to%20voicemail`,
    `/sessions?accountIds=${a}&log=placed%20on%20hold&page=3`,
    `/sessions?accountIds=${a}&from=503`,
    `/sessions?accountIds=${a}&customerIds=${a}_c1`,
    `/sessions?accountIds=${a}&countPerPage=100&page=20`,
    `/sessions?accountIds=${a}&sortField=fromAddress&page=10`,
    `/sessions?log=secondary%20trunk&searchArchive=true`,
  ];
  writeFileSync(
    file,
    [
      `local paths = { ${paths.map((p) => JSON.stringify(p)).join(', ')} }`,
      'local i = 0',
      'ok, unavailable, other = 0, 0, 0',
      'request = function() i = i + 1; return wrk.format("GET", paths[(i % #paths) + 1]) end',
      // A client that honours Retry-After: each 503 holds one later request back that long
      // (wrk's delay() is per thread, not per connection: close enough over 200 connections).
      `local backoff = ${BACKOFF ? 'true' : 'false'}`,
      'local owed, wait_ms = 0, 1000',
      'response = function(status, headers)',
      '  if status == 200 then ok = ok + 1',
      '  elseif status == 503 then',
      '    unavailable = unavailable + 1',
      '    if backoff then owed = owed + 1; wait_ms = 1000 * tonumber(headers["retry-after"] or headers["Retry-After"] or "1") end',
      '  else other = other + 1 end',
      'end',
      'delay = function() if owed > 0 then owed = owed - 1; return wait_ms end return 0 end',
      'local threads = {}',
      'function setup(thread) table.insert(threads, thread) end',
      'function done()',
      '  local o, u, x = 0, 0, 0',
      '  for _, t in ipairs(threads) do o = o + t:get("ok"); u = u + t:get("unavailable"); x = x + t:get("other") end',
      '  io.write(string.format("statuses %d %d %d\\n", o, u, x))',
      'end',
    ].join('\n') + '\n',
  );
  return file;
}

function runWrk(url: string, script: string, headers: Record<string, string>, connections: number, seconds: number): Promise<ReadStats> {
  const headerArgs = Object.entries(headers).flatMap(([name, value]) => ['-H', `${name}: ${value}`]);
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '30s', '--latency', '-s', script, ...headerArgs, url];
  return new Promise((resolve, reject) => {
    execFile('wrk', args, { encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`wrk failed: ${stderr || error.message}`));
      const ms = (p: string) => {
        const m = new RegExp(`\\s${p}%\\s+([\\d.]+)(us|ms|s)`).exec(stdout);
        return m ? Number(m[1]) * (m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1) : NaN;
      };
      const [ok, unavailable, other] = (/statuses (\d+) (\d+) (\d+)/.exec(stdout) ?? []).slice(1).map(Number);
      resolve({
        rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1]),
        p50ms: ms('50'),
        p99ms: ms('99'),
        ok: ok ?? NaN,
        unavailable: unavailable ?? NaN,
        other: other ?? NaN,
        socketTimeouts: Number(/timeout (\d+)/.exec(stdout)?.[1] ?? 0),
      });
    });
  });
}

/**
 * Posts `work` spread evenly over `seconds` (open loop: a slow answer does not slow the sender, as
 * Twilio's callbacks do not wait for each other), each abandoned after Twilio's 15 s.
 */
async function sendCallbacks(port: number, work: readonly SignedCallback[], seconds: number): Promise<CallbackRun> {
  const agent = new Agent({ keepAlive: true, maxSockets: 512 });
  const latencies: number[] = [];
  let timeouts = 0;
  let failures = 0;
  const send = (item: SignedCallback) =>
    new Promise<void>((resolve) => {
      const began = performance.now();
      const req = request(
        {
          agent,
          host: '127.0.0.1',
          port,
          path: STATUS_CALLBACK_PATH,
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(item.body), 'x-twilio-signature': item.signature },
          signal: AbortSignal.timeout(TWILIO_TIMEOUT_MS),
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            latencies.push(performance.now() - began);
            if ((res.statusCode ?? 0) >= 300) failures++;
            resolve();
          });
        },
      );
      req.on('error', (error) => {
        // A callback Twilio gave up on counts in the percentiles at the time Twilio waited.
        if (error.name === 'AbortError' || error.name === 'TimeoutError') {
          timeouts++;
          latencies.push(TWILIO_TIMEOUT_MS);
        } else failures++;
        resolve();
      });
      req.end(item.body);
    });
  const sent: Promise<void>[] = [];
  const began = performance.now();
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const due = Math.min(work.length, Math.floor(((performance.now() - began) / 1000 / seconds) * work.length));
      while (sent.length < due) sent.push(send(work[sent.length]!));
      if (sent.length >= work.length) {
        clearInterval(tick);
        resolve();
      }
    }, 5);
  });
  await Promise.all(sent);
  agent.destroy();
  return { sent: work.length, latencies, timeouts, failures };
}

const percentile = (sorted: readonly number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
