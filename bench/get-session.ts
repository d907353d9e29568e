import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SessionInfo } from '../src/model/session-info.js';
import { SessionInfo as SessionInfoDto } from '../src/model/session-info.js';
import { writeJson } from '../src/wire/json-writer.js';
import { writeXml } from '../src/wire/xml-writer.js';
import { credentialsOf, startChild } from './lib/child-server.js';
import { atRate, hasWrk, PACING_MS, randomIdScript, wrk, type Throughput } from './lib/load.js';
import { benchSessions } from './lib/sessions.js';

/** Reads spread over this many sessions, picked at random per request. */
const SESSIONS = 1_000;

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
    console.log(`GET /sessions/{id}, 20-entry log, ${SESSIONS} sessions at random, wrk -t1 -c32 -d8s, server and baseline each in its own process`);
    for (const format of ['json', 'xml'] as const) {
      const suffix = format === 'xml' ? '.xml' : '';
      const script = randomIdScript(join(dir, `random-${format}.lua`), SESSIONS, suffix);
      const pacedScript = randomIdScript(join(dir, `paced-${format}.lua`), SESSIONS, suffix, PACING_MS);
      // Signed in, as every real client is (bench/auth.ts measures what that costs).
      const headers = { cookie: credentialsOf(switchboard).cookie };
      wrk(bare.url, { seconds: 2, script }); // warm both up
      wrk(switchboard.url, { seconds: 2, headers, script });
      const base = wrk(bare.url, { script });
      const ours = wrk(switchboard.url, { headers, script });
      const steady = atRate(switchboard.url, ours.rps / 2, { headers, pacedScript });
      const bareSteady = atRate(bare.url, ours.rps / 2, { pacedScript });
      const goal = format === 'json' ? 0.6 : 0.45;
      const ratio = ours.rps / base.rps;
      const label = format.toUpperCase().padEnd(4);
      console.log(`  ${label} bare        ${fmt(base)}`);
      console.log(`  ${label} switchboard ${fmt(ours)}`);
      console.log(`  ${label} ratio ${ratio.toFixed(2)} (goal ≥ ${goal}) ${ratio >= goal ? 'met' : 'NOT met'}`);
      console.log(`  ${label} at about half max (${(ours.rps / 2).toFixed(0)} req/s), each connection pacing ${PACING_MS} ms:`);
      console.log(`  ${label}   switchboard ${fmt(steady)} (goal p99 < 5 ms) ${steady.p99ms < 5 ? 'met' : 'NOT met'}`);
      console.log(`  ${label}   bare        ${fmt(bareSteady)}`);
    }
  } finally {
    await Promise.all([bare.stop(), switchboard.stop()]);
  }
}
