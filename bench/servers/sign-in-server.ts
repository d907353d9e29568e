import { buildApp } from '../../src/app.js';
import { hashPassword } from '../../src/auth/passwords.js';
import { UsersRepository } from '../../src/directory/users-repository.js';
import { openStore } from '../../src/store/open-store.js';

// Switchboard as `serve --trust-proxy 127.0.0.1` runs it (SQLite file, logger at warn), with one
// user who signs in with `bench-password`: the bench sends each caller's address in X-Forwarded-For.
const [database] = process.argv.slice(2) as [string];
const store = await openStore(database);
await store.migrate();
await new UsersRepository(store.db).create({ email: 'dana@bench.test', roles: ['User'], accountIds: ['acct'], passwordHash: await hashPassword('bench-password') }, new Date());
const app = await buildApp({ store, logger: { level: 'warn' }, trustProxy: ['127.0.0.1'] });
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
process.stdout.write(`ready ${typeof address === 'object' && address ? address.port : 0}\n`);
process.on('SIGTERM', () => void app.close().then(() => store.close()).then(() => process.exit(0)));
