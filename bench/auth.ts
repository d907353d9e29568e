import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyRequest } from 'fastify';
import { ApiKeysRepository } from '../src/auth/api-keys-repository.js';
import { authServices } from '../src/auth/auth-services.js';
import { SignInsRepository } from '../src/auth/sign-ins-repository.js';
import { newSignInId } from '../src/auth/tokens.js';
import { UsersRepository } from '../src/directory/users-repository.js';
import { SessionInfo as SessionInfoDto } from '../src/model/session-info.js';
import { openStore } from '../src/store/open-store.js';
import { writeJson } from '../src/wire/json-writer.js';
import { writeXml } from '../src/wire/xml-writer.js';
import { credentialsOf, startChild } from './lib/child-server.js';
import { hasWrk, randomIdScript, wrk } from './lib/load.js';
import { benchSessionId, benchSessions } from './lib/sessions.js';

/** Reads spread over this many sessions at random, as in bench get-session. */
const SESSIONS = 1_000;

const ROUNDS = 7;
const SECONDS = 3;
const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * What authentication costs on GET /sessions/{id}, each server in its own process, same run:
 * `bare` (node:http, same bytes), `noauth` (Switchboard with authentication replaced by a fixed
 * caller), `cookie` (ss-id, a server-side sign-in) and `apikey` (Bearer). Rounds rotate the order so
 * load drift on a shared machine favours no target; costs are medians of per-round ratios to
 * noauth. Budget (issue 3): authentication ≤ 10% of noauth's throughput. Then the authenticator
 * alone, in process: far steadier than a difference of two wrk runs on a busy machine.
 */
export async function benchAuth(): Promise<void> {
  if (!hasWrk()) {
    console.log('auth: wrk is not installed (apt-get install wrk); skipped');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-bench-auth-'));
  const sessions = benchSessions(SESSIONS);
  writeFileSync(join(dir, 'session.json'), writeJson(SessionInfoDto, sessions[0]!));
  writeFileSync(join(dir, 'session.xml'), writeXml(SessionInfoDto, sessions[0]!));
  writeFileSync(join(dir, 'sessions.json'), JSON.stringify(sessions));
  const path = `/sessions/${benchSessionId(0)}`;
  const script = randomIdScript(join(dir, 'random.lua'), SESSIONS);

  const bare = await startChild('bare-server.ts', [join(dir, 'session.json'), join(dir, 'session.xml')]);
  const authed = await startChild('switchboard-server.ts', [join(dir, 'auth.db'), join(dir, 'sessions.json')]);
  const noauth = await startChild('switchboard-server.ts', [join(dir, 'noauth.db'), join(dir, 'sessions.json'), 'noauth']);
  const { cookie, apiKey } = credentialsOf(authed);
  const targets: { name: string; url: string; headers: Record<string, string> }[] = [
    { name: 'bare', url: bare.url, headers: {} },
    { name: 'noauth', url: noauth.url, headers: {} },
    { name: 'cookie', url: authed.url, headers: { cookie } },
    { name: 'apikey', url: authed.url, headers: { authorization: `Bearer ${apiKey}` } },
  ];
  try {
    const body = await (await fetch(bare.url + path)).text();
    for (const t of targets) {
      const res = await fetch(t.url + path, { headers: t.headers });
      if (res.status !== 200 || (await res.text()) !== body) throw new Error(`${t.name} does not answer the bare server's 200`);
      wrk(t.url, { seconds: 1, headers: t.headers, script }); // warm up
    }
    const rps = new Map<string, number[]>(targets.map((t) => [t.name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < targets.length; i++) {
        const t = targets[(round + i) % targets.length]!;
        rps.get(t.name)!.push(wrk(t.url, { seconds: SECONDS, headers: t.headers, script }).rps);
      }
    }
    const noauthRps = rps.get('noauth')!;
    console.log(`GET /sessions/{id}, 20-entry log, ${SESSIONS} sessions at random, wrk -t1 -c32, ${ROUNDS} rounds × ${SECONDS}s per target, each server in its own process`);
    for (const t of targets) {
      const ratio = median(rps.get(t.name)!.map((r, i) => r / noauthRps[i]!));
      const note = t.name === 'noauth' ? '' : t.name === 'bare' ? `  (${ratio.toFixed(2)}× noauth)` : `  authentication costs ${((1 - ratio) * 100).toFixed(1)}% (budget 10%) ${1 - ratio <= 0.1 ? 'met' : 'NOT met'}`;
      console.log(`  ${t.name.padEnd(7)} ${median(rps.get(t.name)!).toFixed(0).padStart(7)} req/s${note}`);
    }
    await authenticatorAlone(1e6 / median(noauthRps));
  } finally {
    await Promise.all([bare.stop(), authed.stop(), noauth.stop()]);
  }
}

/** The authenticator on the headers wrk sends, over a store like the server's, without HTTP. */
async function authenticatorAlone(noauthMicros: number): Promise<void> {
  const store = await openStore(':memory:');
  await store.migrate();
  const now = new Date();
  const user = (await new UsersRepository(store.db).create({ email: 'bench@bench.test', roles: ['User'], accountIds: ['acct'] }, now))!;
  const signInId = newSignInId();
  await new SignInsRepository(store.db).create(signInId, { userId: user.id, provider: 'credentials', permanent: false, expiresAt: new Date(now.getTime() + 3600_000) }, now);
  const { key } = await new ApiKeysRepository(store.db).create({ accountId: 'acct', name: 'bench', roles: ['User'] }, now);
  const { authenticator } = authServices(store);
  const cases = [
    ['cookie', { cookie: `ss-id=${signInId}; ss-pid=${newSignInId()}; ss-opt=temp` }],
    ['apikey', { authorization: `Bearer ${key}` }],
  ] as const;
  for (const [name, headers] of cases) {
    const request = { headers, ip: '127.0.0.1' } as unknown as FastifyRequest;
    const n = 200_000;
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) await authenticator.callerOf(request);
    const micros = Number(process.hrtime.bigint() - start) / n / 1000;
    console.log(`  ${name} authenticator alone: ${micros.toFixed(2)} µs = ${((micros / noauthMicros) * 100).toFixed(1)}% of a noauth request (${noauthMicros.toFixed(0)} µs)`);
  }
  await store.close();
}
