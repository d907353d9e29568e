// The servers bench/ingest.ts measures, each in its own process so the load generator does not
// share their event loop: `switchboard DB_PATH` (durable ingest on SQLite) or `baseline`
// (bare node:http that reads and parses the same form body and answers 204).
import { createServer } from 'node:http';
import { buildApp } from '../src/app.js';
import { openStore } from '../src/store/open-store.js';

const [mode, database] = process.argv.slice(2);
const announce = (port: number) => process.stdout.write(`port ${port}\n`);

if (mode === 'baseline') {
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      new URLSearchParams(body);
      res.statusCode = 204;
      res.end();
    });
  });
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    announce(typeof address === 'object' && address ? address.port : 0);
  });
} else {
  const store = await openStore(database!);
  await store.migrate();
  const app = await buildApp({ store, events: { publicUrl: process.argv[4] } });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  announce(typeof address === 'object' && address ? address.port : 0);
  process.once('SIGTERM', () => void app.close().then(() => store.close()).then(() => process.exit(0)));
}
