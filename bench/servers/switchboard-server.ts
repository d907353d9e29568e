import { buildApp } from '../../src/app.js';
import { importSessions } from '../../src/import/import-sessions.js';
import { SessionsRepository } from '../../src/sessions/sessions-repository.js';
import { openStore } from '../../src/store/open-store.js';
import { readFileSync } from 'node:fs';

// Switchboard as `serve` runs it (SQLite file, logger at warn), seeded with the bench sessions.
const [database, sessionsFile] = process.argv.slice(2) as [string, string];
const store = await openStore(database);
await store.migrate();
await importSessions(new SessionsRepository(store.db), JSON.parse(readFileSync(sessionsFile, 'utf8')));
const app = await buildApp({ store, logger: { level: 'warn' } });
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
process.stdout.write(`ready ${typeof address === 'object' && address ? address.port : 0}\n`);
process.on('SIGTERM', () => void app.close().then(() => store.close()).then(() => process.exit(0)));
