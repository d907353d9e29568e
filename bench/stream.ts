// The live stream under load: N subscribers on one instance while signed Twilio callbacks are
// ingested at a fixed rate; beside a bare node:http SSE server pushing the same bytes, in the same
// run, alternating. Run: npx tsx bench/stream.ts
//   (BENCH_SUBSCRIBERS=100,1000,5000 BENCH_RATE=200 BENCH_SECONDS=5 BENCH_ROUNDS=3: medians of the
//   rounds; BENCH_PIN=0: the server and the clients unbound, see `pinned`)
// Commit → frame: the server records when each commit happened (GET /bench/commits, on the
// monotonic clock every process shares) and a sampled subscriber when it parsed the frame with that
// id. Also printed, from the driver alone: callback sent → frame (an upper bound: the callback's own
// time before its commit is in it), the callback's own time (sent → 2xx) and 2xx → frame (a lower
// bound). The 20 sampled subscribers are spread through the connection order and read in the
// driver; the others only count frames, on bare sockets in a process of their own
// (bench/lib/stream-sink.ts). The clients' cores are printed: on this machine they are the server's
// neighbours. CPU per frame is the server's (user + system) over the fixed-rate phase, ingest
// included, divided by the frames the subscribers received: the steadier figure on a shared
// machine. RSS per subscriber is the growth of the server's RSS when n idle subscribers connect,
// after a warm-up (50 subscribers and a second of callbacks) so the heap's first growth is not
// counted. Ingest with subscribers and alone: see `measure`.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { fork } from 'node:child_process';
import { Agent, request, type IncomingMessage } from 'node:http';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import twilio from 'twilio';
import { ACCOUNT_ID, ACCOUNT_SID, AUTH_TOKEN } from '../test/events/support/directory-seed.js';
import { startChild, type ChildServer } from './lib/child-server.js';
import { cpuSeconds, pin } from './lib/cpu.js';
import { openStream } from './lib/open-stream.js';
import { monotonicMs } from './lib/clock.js';

const LEVELS = (process.env.BENCH_SUBSCRIBERS ?? '100,1000').split(',').map(Number);
const RATE = Number(process.env.BENCH_RATE ?? 200);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
/** Subscribers whose frames are parsed for latency; the rest only count frames (the driver shares 2 cores). */
const SAMPLED = 20;
const THROUGHPUT_CALLS = 6000;
const PATH = '/twilio/voice';

let callNo = 0;
/** A signed incoming-call webhook for a new call: each one commits one new session. */
function signedCall(url: string): { body: string; signature: string; sid: string } {
  const sid = `CA${(++callNo).toString(16).padStart(32, '0')}`;
  const params = { AccountSid: ACCOUNT_SID, ApiVersion: '2010-04-01', CallSid: sid, CallStatus: 'ringing', Direction: 'inbound', From: '+15035551234', To: '+15035550000', Caller: '+15035551234', Called: '+15035550000' };
  return { body: new URLSearchParams(params).toString(), signature: twilio.getExpectedTwilioSignature(AUTH_TOKEN, url + PATH, params), sid };
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });
function post(url: string, call: { body: string; signature: string }): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(url + PATH, { method: 'POST', agent, headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': call.signature } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode! < 300 ? resolve() : reject(new Error(`callback answered ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(call.body);
  });
}

interface Subscribers {
  /** SessionInfo frames received by all subscribers so far. */
  frames(): Promise<number>;
  /** When sampled subscribers received each call's frame, by call SID. */
  received: Map<string, number[]>;
  /** When sampled subscribers received each frame (monotonicMs), by its id (the ledger position). */
  byPosition: Map<number, number[]>;
  /** CPU seconds the sink process has used so far. */
  sinkCpu(): number;
  /** Streams the server has ended so far (cut off as too slow: the bench does not resume them). */
  ended(): Promise<number>;
  /** From now on the sampled subscribers only read (ingest's closed loop: latency is not measured). */
  stopTiming(): void;
  /** The first SessionInfo frame seen, as sent (for the baseline to push the same bytes). */
  firstFrame?: string;
  close(): void;
}

/** The counting subscribers' process (bench/lib/stream-sink.ts), driven over IPC. */
function startSink() {
  const child = fork(fileURLToPath(new URL('./lib/stream-sink.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'] });
  const ask = <T>(command: object) =>
    new Promise<T>((resolve, reject) => {
      child.once('message', (answer: T & { error?: string }) => (answer.error ? reject(new Error(answer.error)) : resolve(answer)));
      child.send(command);
    });
  return {
    pid: child.pid!,
    open: (url: string, count: number) => ask<{ opened: number }>({ open: url, count }),
    frames: async () => (await ask<{ frames: number }>({ frames: true })).frames,
    ended: async () => (await ask<{ ended: number }>({ frames: true })).ended,
    close: () => child.send({ close: true }),
  };
}

/**
 * Opens `n` streams, each on its own socket: SAMPLED of them here, parsed for latency, spread evenly
 * through the connection order (the server writes a round to its subscribers in that order, so the
 * first ones would see it first); the rest in the sink process, only counted.
 */
async function subscribe(url: string, n: number): Promise<Subscribers> {
  const sampled: IncomingMessage[] = [];
  const sink = startSink();
  let frames = 0;
  let timing = true;
  const subs: Subscribers = {
    frames: async () => frames + (await sink.frames()),
    received: new Map(),
    byPosition: new Map(),
    sinkCpu: () => cpuSeconds([sink.pid]),
    ended: async () => sampled.filter((r) => r.complete).length + (await sink.ended()),
    stopTiming: () => (timing = false),
    close: () => {
      sampled.forEach((r) => r.destroy());
      sink.close();
    },
  };
  const openSampled = async () => {
    let buffered = '';
    const stream = await openStream(url, (chunk) => {
      if (!timing) return;
      buffered += chunk;
      let end: number;
      while ((end = buffered.indexOf('\n\n')) >= 0) {
        const frame = buffered.slice(0, end + 2);
        buffered = buffered.slice(end + 2);
        if (!frame.includes('@cmd.SessionInfo')) continue;
        frames++;
        const position = /^id: (\d+)/.exec(frame)?.[1];
        if (position) subs.byPosition.set(Number(position), [...(subs.byPosition.get(Number(position)) ?? []), monotonicMs()]);
        subs.firstFrame ??= frame.slice(frame.indexOf('data: '));
        const sid = /"callSid":"(CA[0-9a-f]+)"/.exec(frame)?.[1];
        if (sid) subs.received.set(sid, [...(subs.received.get(sid) ?? []), performance.now()]);
      }
    });
    sampled.push(stream);
  };
  const samples = Math.min(SAMPLED, n);
  for (let k = 0; k < samples; k++) {
    const before = Math.floor(((k + 1) * n) / samples) - Math.floor((k * n) / samples) - 1;
    if (before) await sink.open(url, before);
    await openSampled();
  }
  return subs;
}

/** The server's memory after a full GC (bench/servers/stream-server.ts), in KB. */
async function memoryKb(server: ChildServer): Promise<{ rss: number; heap: number }> {
  const res = await fetch(`${server.url}/bench/memory`);
  const m = (await res.json()) as { rss: number; heapUsed: number; external: number };
  return { rss: m.rss / 1024, heap: (m.heapUsed + m.external) / 1024 };
}
const pct = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};

/**
 * Callbacks at RATE/s for `seconds`; resolves when all are answered. `sent`: when each call was
 * sent; `answered`: when its 2xx arrived (the commit lies between the two).
 */
async function atRate(url: string, sent: Map<string, number>, seconds = SECONDS, answered = new Map<string, number>()) {
  const total = RATE * seconds;
  const started = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    const call = signedCall(url);
    sent.set(call.sid, performance.now());
    pending.push(post(url, call).then(() => void answered.set(call.sid, performance.now())));
  }
  await Promise.all(pending);
}

/** Closed-loop ingest at 16 in flight. */
interface Ingest {
  /** Callbacks answered per second. */
  readonly rate: number;
  /** The server's cores meanwhile: under 1 when the clients, not the server, held ingest back. */
  readonly cores: number;
}

async function throughput(server: ChildServer): Promise<Ingest> {
  const started = performance.now();
  const cpu = cpuSeconds([server.pid]);
  let next = 0;
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (next++ < THROUGHPUT_CALLS) await post(server.url, signedCall(server.url));
  }));
  const seconds = (performance.now() - started) / 1000;
  return { rate: THROUGHPUT_CALLS / seconds, cores: (cpuSeconds([server.pid]) - cpu) / seconds };
}

interface Result {
  subscribers: number;
  p50: number;
  p99: number;
  /** The callback's own time (sent → answered), p99: the ingest share of the latency. */
  ingestP99: number;
  /** Answered → frame parsed, p99: at most what the stream adds after the commit. */
  afterAnswerP99: number;
  /** Commit → frame parsed, p50 and p99: the commit's time recorded in the server (GET /bench/commits). */
  commitP50: number;
  commitP99: number;
  /** The driver's own event-loop delay, p99: how late it may have read a frame that had arrived. */
  driverLagP99: number;
  /** Cores the clients used during the fixed-rate phase: the sink process's and the driver's. */
  sinkCores: number;
  driverCores: number;
  cpuUsPerFrame: number;
  rssKbPerSubscriber: number;
  /** JS heap + external memory, after a GC: the part of RSS the server's own objects make. */
  heapKbPerSubscriber: number;
  delivered: number;
  expected: number;
  ingest?: Ingest;
  /** Ingest without subscribers on the same server, alternated with the runs with them. */
  ingestAlone?: Ingest;
  /** Ingest with the subscribers over ingest alone. */
  ingestShare?: number;
}

/**
 * When the change at `position` was committed: the first commit recorded at or after it (a group
 * commit records its last position only). `commits` are in commit order, so positions ascend.
 */
function commitTime(commits: readonly [number, number][], position: number): number | undefined {
  let lo = 0;
  let hi = commits.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (commits[mid]![0] < position) lo = mid + 1;
    else hi = mid;
  }
  return commits[lo]?.[1];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const meanIngest = (all: readonly Ingest[]): Ingest => ({ rate: all.reduce((n, i) => n + i.rate, 0) / all.length, cores: all.reduce((n, i) => n + i.cores, 0) / all.length });

/** Waits until the server has been nearly idle (under a tenth of a core) for a quarter second, 10 s at most. */
async function settle(server: ChildServer) {
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; ) {
    const cpu = cpuSeconds([server.pid]);
    await sleep(250);
    if (cpuSeconds([server.pid]) - cpu < 0.025) return;
  }
}

async function measure(server: ChildServer, streamUrl: string, n: number, withThroughput: boolean): Promise<Result> {
  const sent = new Map<string, number>();
  const warm = await subscribe(streamUrl, 50);
  await atRate(server.url, new Map(), 1);
  warm.close();
  await settle(server);
  const before = await memoryKb(server);
  const subs = await subscribe(streamUrl, n);
  // Settled: the joins every connect sends to everyone (n²/2 frames) are read and freed by then.
  await sleep(3000);
  const after = await memoryKb(server);
  const cpuBefore = cpuSeconds([server.pid]);
  const sinkBefore = subs.sinkCpu();
  const driverBefore = process.cpuUsage();
  const phaseStart = performance.now();
  const answered = new Map<string, number>();
  const lag = monitorEventLoopDelay({ resolution: 5 });
  lag.enable();
  await atRate(server.url, sent, SECONDS, answered);
  const expected = RATE * SECONDS * n;
  const deadline = Date.now() + 10_000;
  while ((await subs.frames()) < expected && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  lag.disable();
  const cpu = cpuSeconds([server.pid]) - cpuBefore;
  const phaseSeconds = (performance.now() - phaseStart) / 1000;
  const sinkCores = (subs.sinkCpu() - sinkBefore) / phaseSeconds;
  const driverUsage = process.cpuUsage(driverBefore);
  const driverCores = (driverUsage.user + driverUsage.system) / 1e6 / phaseSeconds;
  const commits = (await (await fetch(`${server.url}/bench/commits`)).json()) as [number, number][];
  const delivered = await subs.frames();
  subs.stopTiming();
  // Ingest with the subscribers and alone, alternated on this server: twice with, twice alone (the
  // subscribers leave and come back), each after the server has settled (the search indexer and the
  // fan-out catch up after a closed loop, and were charged to the next one). The first closed loop
  // only warms up: after the fixed rate, the next one was still 20–50% faster.
  const pairs: [Ingest, Ingest][] = [];
  if (withThroughput) {
    await throughput(server);
    for (let pair = 0; pair < 2; pair++) {
      const those = pair ? await subscribe(streamUrl, n) : subs;
      those.stopTiming();
      await settle(server);
      const withSubscribers = await throughput(server);
      const ended = await those.ended();
      if (ended) console.log(`  ${ended} of ${n} streams were cut off as too slow`);
      those.close();
      await settle(server);
      pairs.push([withSubscribers, await throughput(server)]);
    }
  } else subs.close();
  const ingest = pairs.length ? meanIngest(pairs.map((p) => p[0])) : undefined;
  const ingestAlone = pairs.length ? meanIngest(pairs.map((p) => p[1])) : undefined;
  const latencies = [...subs.received].flatMap(([sid, times]) => (sent.has(sid) ? times.map((t) => t - sent.get(sid)!) : []));
  const afterAnswer = [...subs.received].flatMap(([sid, times]) => (answered.has(sid) ? times.map((t) => t - answered.get(sid)!) : []));
  const callbackTimes = [...answered].map(([sid, t]) => t - sent.get(sid)!);
  const afterCommit = [...subs.byPosition].flatMap(([position, times]) => {
    const committed = commitTime(commits, position);
    return committed === undefined ? [] : times.map((t) => t - committed);
  });
  if (subs.firstFrame) writeFileSync(frameFile, subs.firstFrame);
  return {
    subscribers: n,
    p50: pct(latencies, 50),
    p99: pct(latencies, 99),
    ingestP99: pct(callbackTimes, 99),
    afterAnswerP99: pct(afterAnswer, 99),
    commitP50: pct(afterCommit, 50),
    commitP99: pct(afterCommit, 99),
    driverLagP99: lag.percentile(99) / 1e6,
    sinkCores,
    driverCores,
    cpuUsPerFrame: (cpu * 1e6) / Math.max(1, delivered),
    rssKbPerSubscriber: (after.rss - before.rss) / n,
    heapKbPerSubscriber: (after.heap - before.heap) / n,
    delivered,
    expected,
    ingest,
    ingestAlone,
    ingestShare: ingest && ingestAlone ? ingest.rate / ingestAlone.rate : undefined,
  };
}

/**
 * The server gets CPU 0 and the clients (this driver and its sink) the rest (BENCH_PIN=0: unbound).
 * Unbound, the clients' reading took cores from the server in bursts, and ingest's "alone" and "with
 * subscribers" were each measured on whatever the clients left.
 */
const cpus = availableParallelism();
const pinned = process.env.BENCH_PIN !== '0' && cpus >= 2 && pin(process.pid, `1-${cpus - 1}`);
const onServerCpu = (server: ChildServer) => (pinned && pin(server.pid, '0'), server);

const dir = mkdtempSync(join(tmpdir(), 'bench-stream-'));
const frameFile = join(dir, 'frame.txt');
try {
  const load = () => `load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`;
  console.log(`stream: ${RATE} signed callbacks/s for ${SECONDS} s per level, ${ROUNDS} round(s); latency = callback sent → frame parsed by ${SAMPLED} sampled subscribers; ${pinned ? 'server on CPU 0, clients on the rest' : 'unbound'}; ${load()}`);
  const fresh = async () => {
    const server = onServerCpu(await startChild('stream-server.ts', ['switchboard', join(dir, `sb-${Date.now()}.db`)], ['--expose-gc']));
    const key = /^apikey (.+)$/m.exec(server.output)![1]!;
    return { server, streamUrl: `${server.url}/event-stream?channels=account:${ACCOUNT_ID}&apikey=${key}` };
  };
  const row = (name: string, r: Result) =>
    console.log(
      `${name.padEnd(12)} ${String(r.subscribers).padStart(5)} subs  p50 ${r.p50.toFixed(1)} ms  p99 ${r.p99.toFixed(1)} ms ` +
        `(callback ${r.ingestP99.toFixed(1)}, answer→frame ${r.afterAnswerP99.toFixed(1)}, driver lag ${r.driverLagP99.toFixed(1)})  ` +
        `commit→frame p50 ${r.commitP50.toFixed(1)} p99 ${r.commitP99.toFixed(1)} ms  clients ${r.sinkCores.toFixed(2)}+${r.driverCores.toFixed(2)} cores  ` +
        `CPU ${r.cpuUsPerFrame.toFixed(1)} µs/frame  RSS ${r.rssKbPerSubscriber.toFixed(1)} KB/sub (heap ${r.heapKbPerSubscriber.toFixed(1)})  delivered ${r.delivered}/${r.expected}` +
        (r.ingest && r.ingestAlone
          ? `  ingest ${ingestText(r.ingest)} = ${(r.ingestShare! * 100).toFixed(0)}% of alone (${ingestText(r.ingestAlone)})`
          : ''),
    );
  const median = (values: number[]) => pct(values, 50);
  const medianIngest = (all: Ingest[]): Ingest => ({ rate: median(all.map((i) => i.rate)), cores: median(all.map((i) => i.cores)) });
  const ingestText = (i: Ingest) => `${i.rate.toFixed(0)}/s on ${i.cores.toFixed(2)} cores`;
  const medianOf = (results: Result[]): Result => ({
    subscribers: results[0]!.subscribers,
    p50: median(results.map((r) => r.p50)),
    p99: median(results.map((r) => r.p99)),
    ingestP99: median(results.map((r) => r.ingestP99)),
    afterAnswerP99: median(results.map((r) => r.afterAnswerP99)),
    commitP50: median(results.map((r) => r.commitP50)),
    commitP99: median(results.map((r) => r.commitP99)),
    driverLagP99: median(results.map((r) => r.driverLagP99)),
    sinkCores: median(results.map((r) => r.sinkCores)),
    driverCores: median(results.map((r) => r.driverCores)),
    cpuUsPerFrame: median(results.map((r) => r.cpuUsPerFrame)),
    rssKbPerSubscriber: median(results.map((r) => r.rssKbPerSubscriber)),
    heapKbPerSubscriber: median(results.map((r) => r.heapKbPerSubscriber)),
    delivered: median(results.map((r) => r.delivered)),
    expected: results[0]!.expected,
    ingest: results[0]!.ingest && medianIngest(results.map((r) => r.ingest!)),
    ingestAlone: results[0]!.ingestAlone && medianIngest(results.map((r) => r.ingestAlone!)),
    ingestShare: results[0]!.ingestShare === undefined ? undefined : median(results.map((r) => r.ingestShare!)),
  });
  for (const n of LEVELS) {
    const ours: Result[] = [];
    const theirs: Result[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const sb = await fresh();
      ours.push(await measure(sb.server, sb.streamUrl, n, true));
      await sb.server.stop();
      const baseline = onServerCpu(await startChild('stream-server.ts', ['baseline', '', frameFile], ['--expose-gc']));
      theirs.push(await measure(baseline, `${baseline.url}/event-stream`, n, false));
      await baseline.stop();
      if (ROUNDS > 1) {
        row(`  round ${round}`, ours.at(-1)!);
        row(`  bare`, theirs.at(-1)!);
        console.log(`  ${load()}`);
      }
    }
    const a = medianOf(ours);
    const b = medianOf(theirs);
    row('switchboard', a);
    row('bare http', b);
    console.log(`  ratio: p50 ${(a.p50 / b.p50).toFixed(1)}×, p99 ${(a.p99 / b.p99).toFixed(1)}×, CPU/frame ${(a.cpuUsPerFrame / b.cpuUsPerFrame).toFixed(1)}×; ${load()}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
  agent.destroy();
}
