// A Switchboard over a SQLite file, run as a child process the crash test kills with SIGKILL.
import { buildApp } from '../../../src/app.js';
import { openServingStore } from '../../../src/server.js';
import { PUBLIC_URL } from './directory-seed.js';

// Wired as `switchboard serve` wires it: the events go to the writer thread.
const events = { publicUrl: PUBLIC_URL };
const serving = await openServingStore(process.argv[2]!, events);
const app = await buildApp({ store: serving.store, ingest: serving.ingest, events });
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
process.stdout.write(`port ${typeof address === 'object' && address ? address.port : 0}\n`);
