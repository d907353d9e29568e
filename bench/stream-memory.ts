// Memory per idle subscriber, quickly and without load: n (N=1000) streams opened on the
// Switchboard stream server and on the bare node:http SSE server of bench/stream.ts, memory read
// after a full GC before and after (a warm-up of 100 first). Run: npx tsx bench/stream-memory.ts
// RSS moves in steps of the heap's growth; heap + external is what the server's objects hold.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ACCOUNT_ID } from '../test/events/support/directory-seed.js';
import { startChild, type ChildServer } from './lib/child-server.js';

const N = Number(process.env.N ?? 1000);
async function mem(s: ChildServer) {
  const m = (await (await fetch(`${s.url}/bench/memory`)).json()) as { rss: number; heapTotal: number; heapUsed: number; external: number };
  return { rss: m.rss / 1024, heap: m.heapUsed / 1024, ext: m.external / 1024, total: m.heapTotal / 1024 };
}
async function open(url: string, n: number) {
  const all: IncomingMessage[] = [];
  for (let i = 0; i < n; i += 50)
    await Promise.all(Array.from({ length: Math.min(50, n - i) }, () => new Promise<void>((resolve, reject) => {
      get(url, { agent: false }, (res) => {
        all.push(res);
        res.on('error', () => {});
        res.once('data', () => resolve());
      }).on('error', reject);
    })));
  return () => all.forEach((r) => r.destroy());
}
const results: number[] = [];
const dir = mkdtempSync(join(tmpdir(), 'memprobe-'));
writeFileSync(join(dir, 'frame.txt'), 'data: x {}\n\n');
for (const mode of ['switchboard', 'baseline']) {
  const s = await startChild('stream-server.ts', mode === 'switchboard' ? ['switchboard', join(dir, 'a.db')] : ['baseline', '', join(dir, 'frame.txt')], ['--expose-gc']);
  const key = /^apikey (.+)$/m.exec(s.output)?.[1];
  const url = mode === 'switchboard' ? `${s.url}/event-stream?channels=account:${ACCOUNT_ID}&apikey=${key}` : `${s.url}/event-stream`;
  const warm = await open(url, 100);
  warm();
  await new Promise((r) => setTimeout(r, 500));
  const a = await mem(s);
  // Settled: the joins every connect sends to everyone (N²/2 frames) are read and freed by then.
  const close = await open(url, N);
  await new Promise((r) => setTimeout(r, 3000));
  const b = await mem(s);
  const perSub = { rss: (b.rss - a.rss) / N, held: (b.heap + b.ext - a.heap - a.ext) / N };
  results.push(perSub.held);
  console.log(`${mode.padEnd(12)} ${N} idle subscribers: RSS ${perSub.rss.toFixed(1)} KB/sub, heap + external ${perSub.held.toFixed(1)} KB/sub (heap ${((b.heap - a.heap) / N).toFixed(1)}, external ${((b.ext - a.ext) / N).toFixed(1)}; V8 heap committed ${((b.total - a.total) / N).toFixed(1)})`);
  close();
  await s.stop();
}
console.log(`ratio (heap + external): ${(results[0]! / results[1]!).toFixed(1)}×`);
rmSync(dir, { recursive: true, force: true });
