// Durable ingest of signed Twilio status callbacks over HTTP at increasing concurrency, beside a
// bare node:http server measured in the same run. Run: npx tsx bench/ingest.ts [eventsPerLevel]
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '../src/store/open-store.js';
import { PUBLIC_URL, seedDirectory } from '../test/events/support/directory-seed.js';
import { STATUS_CALLBACK_PATH as PATH, statusCallbacks } from './lib/status-callbacks.js';

const EVENTS_PER_LEVEL = Number(process.argv[2] ?? 3000);
// BENCH_LEVELS=64 (comma-separated) measures only those levels, e.g. to profile one of them.
const LEVELS = (process.env.BENCH_LEVELS ?? '1,4,16,64').split(',').map(Number);
const WARM_UP_EVENTS = 1000;

/**
 * When call `c` of level `run` started: calls begin one after another, as a live stream of
 * 3,000 events/s (750 calls, four events each) begins them, and each level an hour after the last.
 * `BENCH_SAME_START=1` starts every call in the same second, the old worst case for index locality:
 * sessions sorted by creation date then land all over each list index instead of at its end.
 */
const callStart = (run: number, c: number) =>
  Date.UTC(2026, 10, 27, 14) + run * 3_600_000 + (process.env.BENCH_SAME_START ? 0 : Math.floor((c * 1000) / 750));

/** Signed callbacks of level `run`, calls interleaved as they would be live. */
const callbacks = (run: number, count: number) => statusCallbacks(run, count, (c) => callStart(run, c));

/**
 * CPU milliseconds a process has used (Linux /proc, clock ticks of 10 ms), NaN elsewhere. Per event
 * it is the steadiest figure on a shared machine: events/s and p99 follow the other tenants' load.
 * `thread: 'main'` counts the main thread alone: the event loop, which bounds events/s.
 */
function cpuMs(pid: number, thread?: 'main'): number {
  try {
    const fields = readFileSync(thread ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

function start(args: string[]): Promise<{ proc: ChildProcess; port: number }> {
  const script = process.env.BENCH_SERVER ?? fileURLToPath(new URL('./ingest-server.ts', import.meta.url));
  const proc = spawn(process.execPath, [...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []), '--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let text = '';
    proc.stdout!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const match = /port (\d+)/.exec(text);
      if (match) resolve({ proc, port: Number(match[1]) });
    });
    proc.once('exit', (code) => reject(new Error(`server exited (${code})`)));
  });
}

async function load(port: number, work: { body: string; signature: string }[], concurrency: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  let next = 0;
  let failures = 0;
  const send = (item: { body: string; signature: string }) =>
    new Promise<number>((resolve, reject) => {
      const req = request(
        { agent, host: '127.0.0.1', port, path: PATH, method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(item.body), 'x-twilio-signature': item.signature } },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end(item.body);
    });
  const began = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < work.length) {
        const item = work[next++]!;
        const t = performance.now();
        const status = await send(item);
        latencies.push(performance.now() - t);
        if (status >= 300) failures++;
      }
    }),
  );
  const seconds = (performance.now() - began) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const p = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return { eventsPerSecond: work.length / seconds, p50: p(0.5), p99: p(0.99), failures };
}

const dir = mkdtempSync(join(tmpdir(), 'switchboard-bench-'));
const database = join(dir, 'bench.db');
const setup = await openStore(database);
await setup.migrate();
await seedDirectory(setup.db);
await setup.close();

const baseline = await start(['baseline']);
const switchboard = await start(['switchboard', database, PUBLIC_URL]);
try {
  console.log(`Signed Twilio status callbacks, ${EVENTS_PER_LEVEL} per level; Switchboard = durable ingest on SQLite (WAL, synchronous=NORMAL)`);
  // Warm-up, not reported: the first level would otherwise also pay for JIT compilation and cold caches.
  const warmUp = callbacks(LEVELS.length, WARM_UP_EVENTS);
  await load(baseline.port, warmUp, 16);
  await load(switchboard.port, warmUp, 16);
  console.log('concurrency | baseline events/s  p99 ms  CPU µs/event | switchboard events/s  p50 ms  p99 ms  non-2xx  server CPU µs/event (main thread)  client CPU µs/event');
  for (const [run, level] of LEVELS.entries()) {
    const work = callbacks(run, EVENTS_PER_LEVEL);
    const baseCpuBefore = cpuMs(baseline.proc.pid!);
    const base = await load(baseline.port, work, level);
    const baseCpuPerEvent = ((cpuMs(baseline.proc.pid!) - baseCpuBefore) * 1000) / work.length;
    const cpuBefore = cpuMs(switchboard.proc.pid!);
    const mainBefore = cpuMs(switchboard.proc.pid!, 'main');
    // The client's own CPU: where it shares the server's cores, it is CPU the server cannot use.
    const clientBefore = process.cpuUsage();
    const sb = await load(switchboard.port, work, level);
    const client = process.cpuUsage(clientBefore);
    const clientPerEvent = (client.user + client.system) / work.length;
    const cpuPerEvent = ((cpuMs(switchboard.proc.pid!) - cpuBefore) * 1000) / work.length;
    const mainPerEvent = ((cpuMs(switchboard.proc.pid!, 'main') - mainBefore) * 1000) / work.length;
    console.log(
      `${String(level).padStart(11)} | ${base.eventsPerSecond.toFixed(0).padStart(17)} ${base.p99.toFixed(2).padStart(7)} ${baseCpuPerEvent.toFixed(0).padStart(13)} | ${sb.eventsPerSecond.toFixed(0).padStart(20)} ${sb.p50.toFixed(2).padStart(7)} ${sb.p99.toFixed(2).padStart(7)} ${String(sb.failures).padStart(8)} ${cpuPerEvent.toFixed(0).padStart(20)} (${mainPerEvent.toFixed(0)}) ${clientPerEvent.toFixed(0).padStart(20)}`,
    );
  }
} finally {
  baseline.proc.kill();
  switchboard.proc.kill();
  await new Promise((resolve) => switchboard.proc.once('exit', resolve));
  rmSync(dir, { recursive: true, force: true });
}
