import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '../../src/store/open-store.js';
import { PUBLIC_URL, seedDirectory } from '../../test/events/support/directory-seed.js';

/** A form body and the X-Twilio-Signature Twilio would send with it. */
export interface SignedForm {
  readonly body: string;
  readonly signature: string;
}

/**
 * Starts bench/ingest-server.ts (or `BENCH_SERVER`) in its own process, `--cpu-prof` when
 * `BENCH_CPU_PROF` names a directory, and waits for its `port N` line.
 */
export function startIngestServer(args: string[]): Promise<{ proc: ChildProcess; port: number }> {
  const script = process.env.BENCH_SERVER ?? fileURLToPath(new URL('../ingest-server.ts', import.meta.url));
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

/** Closed loop: `concurrency` senders, each posting its next signed form to `path` when the last was answered. */
export async function postSigned(port: number, path: string, work: readonly SignedForm[], concurrency: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  let next = 0;
  let failures = 0;
  const send = (item: SignedForm) =>
    new Promise<number>((resolve, reject) => {
      const req = request(
        { agent, host: '127.0.0.1', port, path, method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(item.body), 'x-twilio-signature': item.signature } },
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
  return { perSecond: work.length / seconds, p50: p(0.5), p99: p(0.99), failures };
}

/**
 * The two servers a webhook bench compares: the bare node:http baseline and Switchboard, durable on a
 * fresh SQLite file with the seeded directory in a temporary folder. `stop` ends both and removes it.
 */
export async function startBenchPair(prefix: string) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const database = join(dir, 'bench.db');
  const setup = await openStore(database);
  await setup.migrate();
  await seedDirectory(setup.db);
  await setup.close();
  const baseline = await startIngestServer(['baseline']);
  const switchboard = await startIngestServer(['switchboard', database, PUBLIC_URL]);
  return {
    baseline,
    switchboard,
    async stop() {
      baseline.proc.kill();
      switchboard.proc.kill();
      await new Promise((resolve) => switchboard.proc.once('exit', resolve));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
