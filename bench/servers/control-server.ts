import { buildApp } from '../../src/app.js';
import { SignInsRepository } from '../../src/auth/sign-ins-repository.js';
import { newSignInId } from '../../src/auth/tokens.js';
import { UsersRepository } from '../../src/directory/users-repository.js';
import { openStore } from '../../src/store/open-store.js';
import { ACCOUNT_ID, PUBLIC_URL, seedDirectory } from '../../test/events/support/directory-seed.js';

// Switchboard as `serve` runs it (SQLite file, logger at warn) with its Twilio REST base pointed at
// the bench's fake, the events directory (acct_acme with Twilio credentials) and an agent signed
// in. Prints `cookie …` before `ready <port>`.
const [database, twilioApiUrl] = process.argv.slice(2) as [string, string];
const store = await openStore(database);
await store.migrate();
await seedDirectory(store.db);
const now = new Date();
const user = (await new UsersRepository(store.db).create({ email: 'dana@bench.test', displayName: 'Dana Agent', roles: ['User'], accountIds: [ACCOUNT_ID] }, now))!;
const signInId = newSignInId();
await new SignInsRepository(store.db).create(signInId, { userId: user.id, provider: 'credentials', permanent: false, expiresAt: new Date(now.getTime() + 24 * 3600_000) }, now);

// Reconciliation is left at its production deadline (15 s): every callback arrives, so it never runs.
const app = await buildApp({ store, logger: { level: 'warn' }, events: { publicUrl: PUBLIC_URL }, control: { twilioApiUrl } });
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
process.stdout.write(`cookie ss-id=${signInId}; ss-pid=${newSignInId()}; ss-opt=temp\n`);
process.stdout.write(`ready ${typeof address === 'object' && address ? address.port : 0}\n`);
process.on('SIGTERM', () => void app.close().then(() => store.close()).then(() => process.exit(0)));
