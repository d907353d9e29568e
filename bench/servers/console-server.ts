// The server bench/console.ts measures, in its own process: the app on a SQLite file with the
// seeded directory and a Manager who signs in with a password (printed as `user EMAIL PASSWORD`).
import { buildApp } from '../../src/app.js';
import { hashPassword } from '../../src/auth/passwords.js';
import { UsersRepository } from '../../src/directory/users-repository.js';
import { openStore } from '../../src/store/open-store.js';
import { ACCOUNT_ID, seedDirectory } from '../../test/events/support/directory-seed.js';

const [database] = process.argv.slice(2);
const store = await openStore(database!);
await store.migrate();
await seedDirectory(store.db);
const email = 'bench-manager@acme.test';
const password = 'bench-password-1';
await new UsersRepository(store.db).create({ email, roles: ['Manager'], accountIds: [ACCOUNT_ID], passwordHash: await hashPassword(password) }, new Date());
const app = await buildApp({ store, stream: { maxSubscriptions: 1000 } });
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
process.stdout.write(`user ${email} ${password}\nready ${typeof address === 'object' && address ? address.port : 0}\n`);
process.once('SIGTERM', () => void app.close().then(() => store.close()).then(() => process.exit(0)));
