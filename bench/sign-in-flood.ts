import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startChild } from './lib/child-server.js';
import { cpuSeconds } from './lib/cpu.js';

const ROUNDS = 8;
const ATTACKERS = 200;
const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const max = (xs: readonly number[]) => Math.max(...xs);

/**
 * Issue 13.2: Dana signs in from her own address right after 200 guesses of her password arrive
 * at once from another address (a new one each round), against her signing in alone, alternating
 * in the same run (the server in its own process). When the attempt was recorded after the hash,
 * all 200 guesses cost a scrypt and her sign-in took 12 s; now 5 per address are checked and the
 * rest are answered 429 at once. The guesses come from a process of their own, so the bench's
 * event loop times Dana alone.
 */
export async function benchSignInFlood(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-bench-sign-in-'));
  const server = await startChild('sign-in-server.ts', [join(dir, 'sign-in.db')]);
  const danaSignsIn = async () => {
    const started = performance.now();
    const res = await fetch(`${server.url}/auth/credentials`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.7' },
      body: JSON.stringify({ userName: 'dana@bench.test', password: 'bench-password' }),
    });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`Dana was refused: ${res.status}`);
    return performance.now() - started;
  };
  const burst = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./lib/guess-burst.ts', import.meta.url)), server.url, 'dana@bench.test', String(ATTACKERS)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: burst.stdout! })[Symbol.asyncIterator]();
  const next = async (prefix: string) => {
    const line = (await lines.next()).value as string;
    if (!line?.startsWith(prefix)) throw new Error(`guess-burst said ${line}`);
    return line.slice(prefix.length).trim();
  };
  try {
    await danaSignsIn(); // warm up
    const alone: number[] = [];
    const flooded: number[] = [];
    const statuses: Record<number, number> = {};
    let cpuPerGuess = 0;
    for (let round = 0; round < ROUNDS; round++) {
      alone.push(await danaSignsIn());
      const cpuBefore = cpuSeconds([server.pid]);
      burst.stdin!.write(`go 203.0.113.${round}\n`);
      await next('sent');
      flooded.push(await danaSignsIn());
      for (const [status, n] of Object.entries(JSON.parse(await next('done')) as Record<string, number>)) statuses[Number(status)] = (statuses[Number(status)] ?? 0) + n;
      cpuPerGuess += (cpuSeconds([server.pid]) - cpuBefore) / (ATTACKERS + 1) / ROUNDS;
    }
    console.log(`Dana signs in from her own address, alone and right after ${ATTACKERS} parallel guesses of her password from another address, ${ROUNDS} rounds`);
    console.log(`  alone    median ${median(alone).toFixed(0).padStart(5)} ms  max ${max(alone).toFixed(0).padStart(5)} ms`);
    console.log(`  flooded  median ${median(flooded).toFixed(0).padStart(5)} ms  max ${max(flooded).toFixed(0).padStart(5)} ms  (${(median(flooded) / median(alone)).toFixed(2)}× alone)`);
    console.log(`  guesses answered ${JSON.stringify(statuses)} (5 × 401 per attacking address); server CPU ${(cpuPerGuess * 1e6).toFixed(0)} µs per request of a burst (5 scrypts per burst included)`);
  } finally {
    burst.kill('SIGTERM');
    await server.stop();
  }
}
