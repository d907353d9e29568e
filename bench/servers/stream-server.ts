// The servers bench/stream.ts measures, each in its own process: `switchboard DB_PATH` (the app on a
// SQLite file, the seeded directory, a Manager API key printed as `apikey …`) or `baseline`: bare
// node:http that answers the same signed callbacks with 200 after parsing them and pushes a frame of
// the same bytes as Switchboard's to every open /event-stream response.
import { createServer, type ServerResponse } from 'node:http';
import { buildApp } from '../../src/app.js';
import { openStore } from '../../src/store/open-store.js';
import { ACCOUNT_ID, seedDirectory } from '../../test/events/support/directory-seed.js';
import { ApiKeysRepository } from '../../src/auth/api-keys-repository.js';
import { monotonicMs } from '../lib/clock.js';

const [mode, database, frameFile] = process.argv.slice(2);
const ready = (port: number) => process.stdout.write(`ready ${port}\n`);
/** GET /bench/memory: the process's memory after a full GC (started with --expose-gc), for memory per subscriber. */
const MEMORY_PATH = '/bench/memory';
/**
 * GET /bench/commits: `[position, ms]` for each commit (the last position of a group commit), ms on
 * the system's monotonic clock (process.hrtime, the same in every process), so the driver can time
 * commit → frame exactly; the baseline's are when it starts writing each frame.
 */
const COMMITS_PATH = '/bench/commits';
const commits: [number, number][] = [];
const commitsJson = () => JSON.stringify(commits.splice(0));
const memory = () => {
  (globalThis as { gc?: () => void }).gc?.();
  const { rss, heapTotal, heapUsed, external, arrayBuffers } = process.memoryUsage();
  return JSON.stringify({ rss, heapTotal, heapUsed, external, arrayBuffers });
};

if (mode === 'baseline') {
  const { readFileSync } = await import('node:fs');
  // A SessionInfo frame as Switchboard sent it in the same run; only the id changes.
  const sample = readFileSync(frameFile!, 'utf8');
  const clients = new Set<ServerResponse>();
  let id = 0;
  const server = createServer((req, res) => {
    if (req.url === MEMORY_PATH) return res.end(memory());
    if (req.url === COMMITS_PATH) return res.end(commitsJson());
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
      res.write('data: cmd.onConnect {}\n\n');
      clients.add(res);
      res.on('close', () => clients.delete(res));
      return;
    }
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const sid = new URLSearchParams(body).get('CallSid') ?? '';
      commits.push([++id, monotonicMs()]);
      const frame = `id: ${id}\n${sample.replace(/"callSid":"CA[0-9a-f]+"/, `"callSid":"${sid}"`)}`;
      for (const client of clients) client.write(frame);
      res.end('<Response/>');
    });
  });
  // Fastify's default: node:http's 5 s drops the bench's idle keep-alive sockets as it reuses them (ECONNRESET).
  server.keepAliveTimeout = 72_000;
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    ready(typeof address === 'object' && address ? address.port : 0);
  });
} else {
  const store = await openStore(database!);
  await store.migrate();
  await seedDirectory(store.db);
  const { key } = await new ApiKeysRepository(store.db).create({ accountId: ACCOUNT_ID, name: 'bench', roles: ['Manager'] }, new Date());
  // Heartbeats would only add noise: the bench's subscribers live for one phase, far less than this.
  const stream = { heartbeatIntervalMs: 600_000, idleTimeoutMs: 1_200_000, maxSubscriptions: 100_000 };
  const { changeSignals } = store;
  const recording = { ...changeSignals, notify: (position: number) => (commits.push([position, monotonicMs()]), changeSignals.notify(position)) };
  const app = await buildApp({ store: { ...store, changeSignals: recording }, stream });
  app.get(MEMORY_PATH, (_request, reply) => reply.header('content-type', 'application/json').send(memory()));
  app.get(COMMITS_PATH, (_request, reply) => reply.header('content-type', 'application/json').send(commitsJson()));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  process.stdout.write(`apikey ${key}\n`);
  ready(typeof address === 'object' && address ? address.port : 0);
  process.once('SIGTERM', () => void app.close().then(() => store.close()).then(() => process.exit(0)));
}
