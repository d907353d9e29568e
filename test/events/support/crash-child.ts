// A Switchboard over a SQLite file, run as a child process the crash test kills with SIGKILL.
import { buildApp } from '../../../src/app.js';
import { openStore } from '../../../src/store/open-store.js';
import { PUBLIC_URL } from './directory-seed.js';

const store = await openStore(process.argv[2]!);
await store.migrate();
const app = await buildApp({ store, events: { publicUrl: PUBLIC_URL } });
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
process.stdout.write(`port ${typeof address === 'object' && address ? address.port : 0}\n`);
