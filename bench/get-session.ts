import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SessionInfo } from '../src/model/session-info.js';
import { SessionInfo as SessionInfoDto } from '../src/model/session-info.js';
import { writeJson } from '../src/wire/json-writer.js';
import { writeXml } from '../src/wire/xml-writer.js';
import { credentialsOf, startChild, type ChildServer } from './lib/child-server.js';
import { cpuSeconds } from './lib/cpu.js';
import { atRate, hasWrk, PACING_MS, randomIdScript, wrk, type Throughput } from './lib/load.js';
import { benchSessions } from './lib/sessions.js';

/** Reads spread over this many sessions, picked at random per request. */
const SESSIONS = 1_000;

const ROUNDS = 5;
const SECONDS = 4;
const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
/** Each figure's median over the rounds. */
const medianOf = (runs: readonly Throughput[]): Throughput => ({
  rps: median(runs.map((r) => r.rps)),
  p50ms: median(runs.map((r) => r.p50ms)),
  p99ms: median(runs.map((r) => r.p99ms)),
});
/** Runs a load against `server`, noting the server's CPU µs per request in `into`. */
function measured(server: ChildServer, into: number[], load: () => Throughput): Throughput {
  const before = cpuSeconds([server.pid]);
  const result = load();
  into.push(((cpuSeconds([server.pid]) - before) * 1e6) / (result.rps * SECONDS));
  return result;
}
const fmt = (t: Throughput) => `${t.rps.toFixed(0).padStart(7)} req/s  p50 ${t.p50ms.toFixed(2)} ms  p99 ${t.p99ms.toFixed(2)} ms`;

/**
 * GET /sessions/{id} (JSON and XML, a 20-entry log, ids at random over 1,000 sessions) against a
 * bare node:http server sending the same bytes, same run, same concurrency, same request script.
 * Goals (issue 2): JSON ≥ 0.6 and XML ≥ 0.45 of the bare server's requests/s; p99 < 5 ms at half
 * the maximum rate (the bare server is measured at the same rate: the load generator's own floor).
 */
export async function benchGetSession(): Promise<void> {
  if (!hasWrk()) {
    console.log('get-session: wrk is not installed (apt-get install wrk); skipped');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-bench-'));
  const sessions: SessionInfo[] = benchSessions(SESSIONS);
  // Every bench session renders to the same number of bytes; the bare server sends the first's.
  writeFileSync(join(dir, 'session.json'), writeJson(SessionInfoDto, sessions[0]!));
  writeFileSync(join(dir, 'session.xml'), writeXml(SessionInfoDto, sessions[0]!));
  writeFileSync(join(dir, 'sessions.json'), JSON.stringify(sessions));

  const bare = await startChild('bare-server.ts', [join(dir, 'session.json'), join(dir, 'session.xml')]);
  const switchboard = await startChild('switchboard-server.ts', [join(dir, 'bench.db'), join(dir, 'sessions.json')]);
  try {
    console.log(
      `GET /sessions/{id}, 20-entry log, ${SESSIONS} sessions at random, wrk -t1 -c32; ${ROUNDS} rounds of ${SECONDS} s alternating bare and switchboard (each in its own process), medians`,
    );
    for (const format of ['json', 'xml'] as const) {
      const suffix = format === 'xml' ? '.xml' : '';
      const script = randomIdScript(join(dir, `random-${format}.lua`), SESSIONS, suffix);
      const pacedScript = randomIdScript(join(dir, `paced-${format}.lua`), SESSIONS, suffix, PACING_MS);
      // Signed in, as every real client is (bench/auth.ts measures what that costs).
      const headers = { cookie: credentialsOf(switchboard).cookie };
      wrk(bare.url, { seconds: 2, script }); // warm both up
      wrk(switchboard.url, { seconds: 2, headers, script });
      // On a shared machine one pair of runs can differ by a third; the median of alternating rounds does not.
      const base: Throughput[] = [];
      const ours: Throughput[] = [];
      const cpu = { bare: [] as number[], ours: [] as number[] };
      for (let round = 0; round < ROUNDS; round++) {
        const runBare = () => base.push(measured(bare, cpu.bare, () => wrk(bare.url, { seconds: SECONDS, script })));
        const runOurs = () => ours.push(measured(switchboard, cpu.ours, () => wrk(switchboard.url, { seconds: SECONDS, headers, script })));
        for (const run of round % 2 === 0 ? [runBare, runOurs] : [runOurs, runBare]) run();
      }
      const rate = median(ours.map((t) => t.rps)) / 2;
      const steady: Throughput[] = [];
      const bareSteady: Throughput[] = [];
      for (let round = 0; round < 3; round++) {
        steady.push(atRate(switchboard.url, rate, { seconds: SECONDS, headers, pacedScript }));
        bareSteady.push(atRate(bare.url, rate, { seconds: SECONDS, pacedScript }));
      }
      const goal = format === 'json' ? 0.6 : 0.45;
      const ratio = median(ours.map((o, i) => o.rps / base[i]!.rps));
      const p99 = medianOf(steady).p99ms;
      const label = format.toUpperCase().padEnd(4);
      console.log(`  ${label} bare        ${fmt(medianOf(base))}`);
      console.log(`  ${label} switchboard ${fmt(medianOf(ours))}`);
      console.log(`  ${label} ratio ${ratio.toFixed(2)} (goal ≥ ${goal}) ${ratio >= goal ? 'met' : 'NOT met'}; rounds: ${ours.map((o, i) => (o.rps / base[i]!.rps).toFixed(2)).join(' ')}`);
      const [cpuBare, cpuOurs] = [median(cpu.bare), median(cpu.ours)];
      console.log(`  ${label} server CPU per request: bare ${cpuBare.toFixed(0)} µs, switchboard ${cpuOurs.toFixed(0)} µs (ratio ${(cpuBare / cpuOurs).toFixed(2)}: steadier than req/s on a shared machine)`);
      console.log(`  ${label} at about half max (${rate.toFixed(0)} req/s), each connection pacing ${PACING_MS} ms, 3 rounds:`);
      console.log(`  ${label}   switchboard ${fmt(medianOf(steady))} (goal p99 < 5 ms) ${p99 < 5 ? 'met' : 'NOT met'}`);
      console.log(`  ${label}   bare        ${fmt(medianOf(bareSteady))}`);
    }
  } finally {
    await Promise.all([bare.stop(), switchboard.stop()]);
  }
}
