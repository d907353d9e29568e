import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SessionInfo } from '../src/model/session-info.js';
import { SessionInfo as SessionInfoDto } from '../src/model/session-info.js';
import { writeJson } from '../src/wire/json-writer.js';
import { writeXml } from '../src/wire/xml-writer.js';
import { credentialsOf, startChild } from './lib/child-server.js';
import { atRate, hasWrk, wrk, type Throughput } from './lib/load.js';
import { goldenWith20Log } from './lib/sessions.js';

const fmt = (t: Throughput) => `${t.rps.toFixed(0).padStart(7)} req/s  p50 ${t.p50ms.toFixed(2)} ms  p99 ${t.p99ms.toFixed(2)} ms`;

/**
 * GET /sessions/{id} (JSON and XML, a 20-entry log) against a bare node:http server sending the
 * same bytes, same run, same concurrency. Goals (issue 2): JSON ≥ 0.6 and XML ≥ 0.45 of the bare
 * server's requests/s; p99 < 5 ms at half the maximum rate.
 */
export async function benchGetSession(): Promise<void> {
  if (!hasWrk()) {
    console.log('get-session: wrk is not installed (apt-get install wrk); skipped');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-bench-'));
  const session: SessionInfo = goldenWith20Log();
  writeFileSync(join(dir, 'session.json'), writeJson(SessionInfoDto, session));
  writeFileSync(join(dir, 'session.xml'), writeXml(SessionInfoDto, session));
  writeFileSync(join(dir, 'sessions.json'), JSON.stringify([session]));

  const bare = await startChild('bare-server.ts', [join(dir, 'session.json'), join(dir, 'session.xml')]);
  const switchboard = await startChild('switchboard-server.ts', [join(dir, 'bench.db'), join(dir, 'sessions.json')]);
  try {
    console.log('GET /sessions/{id}, 20-entry log, wrk -t1 -c32 -d8s, server and baseline each in its own process');
    for (const format of ['json', 'xml'] as const) {
      const path = `/sessions/${session.id}${format === 'xml' ? '.xml' : ''}`;
      // Signed in, as every real client is (bench/auth.ts measures what that costs).
      const headers = { cookie: credentialsOf(switchboard).cookie };
      wrk(bare.url + path, { seconds: 2 }); // warm both up
      wrk(switchboard.url + path, { seconds: 2, headers });
      const base = wrk(bare.url + path);
      const ours = wrk(switchboard.url + path, { headers });
      const steady = await atRate(switchboard.url + path, ours.rps / 2, 8, headers);
      const goal = format === 'json' ? 0.6 : 0.45;
      const ratio = ours.rps / base.rps;
      console.log(`  ${format.toUpperCase()}  bare        ${fmt(base)}`);
      console.log(`  ${format.toUpperCase()}  switchboard ${fmt(ours)}`);
      console.log(`  ${format.toUpperCase()}  ratio ${ratio.toFixed(2)} (goal ≥ ${goal}) ${ratio >= goal ? 'met' : 'NOT met'}`);
      console.log(`  ${format.toUpperCase()}  at half max (${(ours.rps / 2).toFixed(0)} req/s): ${fmt(steady)} (goal p99 < 5 ms) ${steady.p99ms < 5 ? 'met' : 'NOT met'}`);
    }
  } finally {
    await Promise.all([bare.stop(), switchboard.stop()]);
  }
}
