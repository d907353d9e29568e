// Durable ingest of signed Twilio status callbacks over HTTP at increasing concurrency, beside a
// bare node:http server measured in the same run. Run: npm run bench -- ingest (INGEST_EVENTS=3000
// per level), or npx tsx bench/ingest.ts [eventsPerLevel]
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { postSigned, startBenchPair } from './lib/signed-posts.js';
import { STATUS_CALLBACK_PATH as PATH, statusCallbacks } from './lib/status-callbacks.js';

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

export async function benchIngest(eventsPerLevel = Number(process.env.INGEST_EVENTS ?? 3000)): Promise<void> {
  const servers = await startBenchPair('switchboard-bench-');
  const { baseline, switchboard } = servers;
  try {
    console.log(`Signed Twilio status callbacks, ${eventsPerLevel} per level; Switchboard = durable ingest on SQLite (WAL, synchronous=NORMAL)`);
    // Warm-up, not reported: the first level would otherwise also pay for JIT compilation and cold caches.
    const warmUp = callbacks(LEVELS.length, WARM_UP_EVENTS);
    await postSigned(baseline.port, PATH, warmUp, 16);
    await postSigned(switchboard.port, PATH, warmUp, 16);
    console.log('concurrency | baseline events/s  p99 ms  CPU µs/event | switchboard events/s  p50 ms  p99 ms  non-2xx  server CPU µs/event (main thread)  client CPU µs/event');
    for (const [run, level] of LEVELS.entries()) {
      const work = callbacks(run, eventsPerLevel);
      const baseCpuBefore = cpuMs(baseline.proc.pid!);
      const base = await postSigned(baseline.port, PATH, work, level);
      const baseCpuPerEvent = ((cpuMs(baseline.proc.pid!) - baseCpuBefore) * 1000) / work.length;
      const cpuBefore = cpuMs(switchboard.proc.pid!);
      const mainBefore = cpuMs(switchboard.proc.pid!, 'main');
      // The client's own CPU: where it shares the server's cores, it is CPU the server cannot use.
      const clientBefore = process.cpuUsage();
      const sb = await postSigned(switchboard.port, PATH, work, level);
      const client = process.cpuUsage(clientBefore);
      const clientPerEvent = (client.user + client.system) / work.length;
      const cpuPerEvent = ((cpuMs(switchboard.proc.pid!) - cpuBefore) * 1000) / work.length;
      const mainPerEvent = ((cpuMs(switchboard.proc.pid!, 'main') - mainBefore) * 1000) / work.length;
      console.log(
        `${String(level).padStart(11)} | ${base.perSecond.toFixed(0).padStart(17)} ${base.p99.toFixed(2).padStart(7)} ${baseCpuPerEvent.toFixed(0).padStart(13)} | ${sb.perSecond.toFixed(0).padStart(20)} ${sb.p50.toFixed(2).padStart(7)} ${sb.p99.toFixed(2).padStart(7)} ${String(sb.failures).padStart(8)} ${cpuPerEvent.toFixed(0).padStart(20)} (${mainPerEvent.toFixed(0)}) ${clientPerEvent.toFixed(0).padStart(20)}`,
      );
    }
  } finally {
    await servers.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await benchIngest(Number(process.argv[2] ?? 3000));
