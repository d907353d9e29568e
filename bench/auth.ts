/**
 * What authentication costs on GET /sessions/{id}, against baselines measured in the same run:
 *
 *   bare      node:http answering the same bytes (the ceiling: no framework, no database)
 *   noauth    Switchboard with authentication replaced by a fixed caller (the app's own cost)
 *   cookie    signed in by ss-id cookie (server-side session)
 *   apikey    Authorization: Bearer <API key>
 *
 * Rounds interleave the targets so machine noise spreads evenly; the median of each is reported.
 * The budget (issue 3): cookie and API key each within 10% of noauth. Needs `wrk` (apt-get install wrk).
 *
 *   npm run bench:auth -- [--seconds 3] [--rounds 9] [--connections 32]
 */
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import type { FastifyRequest } from 'fastify';
import { buildApp } from '../src/app.js';
import { authServices } from '../src/auth/auth-services.js';
import { ApiKeysRepository } from '../src/auth/api-keys-repository.js';
import { AuthSessionsRepository } from '../src/auth/auth-sessions-repository.js';
import { newSessionId } from '../src/auth/tokens.js';
import { UsersRepository } from '../src/directory/users-repository.js';
import type { SessionInfo } from '../src/model/session-info.js';
import { SessionsRepository } from '../src/sessions/sessions-repository.js';
import { openStore } from '../src/store/open-store.js';
import { goldenSession } from '../test/support/fixtures.js';

const { values } = parseArgs({ options: { seconds: { type: 'string' }, rounds: { type: 'string' }, connections: { type: 'string' } } });
const seconds = Number(values.seconds ?? 3);
const rounds = Number(values.rounds ?? 9);
const connections = Number(values.connections ?? 32);

if (spawnSync('wrk', ['--version']).error) {
  console.error('bench/auth.ts needs wrk: apt-get install -y wrk');
  process.exit(2);
}

const golden: SessionInfo = goldenSession();
const now = new Date();

async function switchboard(options: { bypass: boolean }) {
  const store = await openStore(':memory:');
  await store.migrate();
  // A realistic table: the session asked for among others.
  const sessions = new SessionsRepository(store.db);
  for (let i = 0; i < 2000; i++) await sessions.insertIfAbsent({ ...golden, id: `${golden.id}-${i}` });
  await sessions.insertIfAbsent(golden);
  const user = (await new UsersRepository(store.db).create({ email: 'bench@a.test', roles: ['User'], accountIds: [golden.accountId!] }, now))!;
  const sessionId = newSessionId();
  await new AuthSessionsRepository(store.db).create(sessionId, { userId: user.id, provider: 'credentials', permanent: false, expiresAt: new Date(now.getTime() + 3600_000) }, now);
  const { key } = await new ApiKeysRepository(store.db).create({ accountId: golden.accountId!, name: 'bench', roles: ['User'] }, now);
  const fixed = { userId: user.id, roles: ['User'] as const, accountIds: [golden.accountId!] };
  const app = await buildApp({ store, ...(options.bypass ? { authenticate: async () => fixed } : {}) });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/sessions/${golden.id}`;
  return { url, store, cookie: `ss-id=${sessionId}; ss-pid=${newSessionId()}; ss-opt=temp`, key, close: () => app.close().then(() => store.close()) };
}

const noauth = await switchboard({ bypass: true });
const authed = await switchboard({ bypass: false });

// The bare baseline sends exactly the bytes Switchboard sends.
const probe = await fetch(noauth.url);
const body = await probe.text();
if (probe.status !== 200) throw new Error(`noauth answered ${probe.status}`);
const bare = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', vary: 'Accept', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}/sessions/${golden.id}`;

const targets: { name: string; url: string; headers: string[] }[] = [
  { name: 'bare', url: bareUrl, headers: [] },
  { name: 'noauth', url: noauth.url, headers: [] },
  { name: 'cookie', url: authed.url, headers: [`Cookie: ${authed.cookie}`] },
  { name: 'apikey', url: authed.url, headers: [`Authorization: Bearer ${authed.key}`] },
];

for (const target of targets) {
  const res = await fetch(target.url, { headers: Object.fromEntries(target.headers.map((h) => h.split(': ') as [string, string])) });
  if (res.status !== 200 || (await res.text()) !== body) throw new Error(`${target.name} does not answer the same 200`);
}

// Each round runs every target once, starting from a different one, so neither load drift nor
// position favours a target; costs are per-round ratios to noauth, whose median is reported.
const results = new Map<string, { rps: number; p99: string }[]>(targets.map((t) => [t.name, []]));
for (let round = 0; round < rounds; round++) {
  for (let i = 0; i < targets.length; i++) {
    const target = targets[(round + i) % targets.length]!;
    const result = await runWrk(target.url, target.headers);
    results.get(target.name)!.push(result);
    console.error(`round ${round + 1} ${target.name.padEnd(7)} ${result.rps.toFixed(0).padStart(7)} req/s  p99 ${result.p99}`);
  }
}

/** wrk runs out of process; this process only serves (wrk's own CPU is the same for every target). */
async function runWrk(url: string, headers: string[]): Promise<{ rps: number; p99: string }> {
  const args = ['-t', '1', '-c', String(connections), '-d', `${seconds}s`, '--latency', ...headers.flatMap((h) => ['-H', h]), url];
  const child = spawn('wrk', args);
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk));
  await new Promise((resolve) => child.on('close', resolve));
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN);
  const p99 = /99%\s+(\S+)/.exec(out)?.[1] ?? '?';
  if (/Non-2xx/.test(out)) throw new Error(`wrk saw non-2xx answers from ${url}:\n${out}`);
  return { rps, p99 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rpsOf = (name: string) => results.get(name)!.map((r) => r.rps);
console.log(`\nGET /sessions/{id}, ${connections} connections, ${rounds} rounds × ${seconds}s per target (node ${process.version})`);
console.log('  target   median req/s   median cost vs noauth (per-round ratio)');
for (const target of targets) {
  const ratios = rpsOf(target.name).map((rps, i) => rps / rpsOf('noauth')[i]!);
  const cost = (1 - median(ratios)) * 100;
  const versus = target.name === 'noauth' ? '' : `${cost >= 0 ? '' : '+'}${(-cost).toFixed(1)}%`.padStart(10);
  console.log(`  ${target.name.padEnd(7)} ${median(rpsOf(target.name)).toFixed(0).padStart(12)}   ${versus}`);
}
for (const name of ['cookie', 'apikey']) {
  const cost = (1 - median(rpsOf(name).map((rps, i) => rps / rpsOf('noauth')[i]!))) * 100;
  console.log(`  ${name} authentication costs ${cost.toFixed(1)}% of noauth throughput (budget 10%): ${cost <= 10 ? 'within' : 'OVER'}`);
}

// The same cost measured without the network: the authenticator alone, in this process, on the
// headers wrk sends. Far less noisy on a shared machine than the difference of two wrk runs.
const authenticator = authServices(authed.store).authenticator;
const noauthMicros = 1e6 / median(rpsOf('noauth'));
for (const [name, headers] of [['cookie', { cookie: authed.cookie }], ['apikey', { authorization: `Bearer ${authed.key}` }]] as const) {
  const request = { headers, ip: '127.0.0.1' } as unknown as FastifyRequest;
  const n = 200_000;
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await authenticator.callerOf(request);
  const micros = Number(process.hrtime.bigint() - start) / n / 1000;
  console.log(`  ${name} authenticator alone: ${micros.toFixed(2)} µs per request = ${((micros / noauthMicros) * 100).toFixed(1)}% of a noauth request (${noauthMicros.toFixed(0)} µs)`);
}

bare.close();
await noauth.close();
await authed.close();
