import { readFileSync } from 'node:fs';
import { buildApp } from '../../src/app.js';
import { ApiKeysRepository } from '../../src/auth/api-keys-repository.js';
import { SignInsRepository } from '../../src/auth/sign-ins-repository.js';
import { newSignInId } from '../../src/auth/tokens.js';
import { UsersRepository } from '../../src/directory/users-repository.js';
import { importSessions } from '../../src/import/import-sessions.js';
import type { SessionInfo } from '../../src/model/session-info.js';
import { sessionWriter } from '../../src/events/session-writer.js';
import { openStore } from '../../src/store/open-store.js';

// Switchboard as `serve` runs it (SQLite file, logger at warn), seeded with the bench sessions and
// a User of their account, signed in (a server-side sign-in) and holding an API key. Prints
// `cookie …` and `apikey …` before `ready <port>`. Mode `noauth` replaces authentication with that
// user, fixed: the baseline that shows what authentication costs.
const [database, sessionsFile, mode = 'auth'] = process.argv.slice(2) as [string, string, string?];
const store = await openStore(database);
await store.migrate();
const seed: SessionInfo[] = JSON.parse(readFileSync(sessionsFile, 'utf8'));
await importSessions(sessionWriter(store), seed);

const now = new Date();
const accountId = seed[0]!.accountId!;
const user = (await new UsersRepository(store.db).create({ email: `bench-${newSignInId()}@bench.test`, roles: ['User'], accountIds: [accountId] }, now))!;
const signInId = newSignInId();
await new SignInsRepository(store.db).create(signInId, { userId: user.id, provider: 'credentials', permanent: false, expiresAt: new Date(now.getTime() + 24 * 3600_000) }, now);
const { key } = await new ApiKeysRepository(store.db).create({ accountId, name: 'bench', roles: ['User'] }, now);
const fixedCaller = { userId: user.id, roles: ['User'] as const, accountIds: [accountId] };

const app = await buildApp({ store, logger: { level: 'warn' }, ...(mode === 'noauth' ? { authenticate: async () => fixedCaller } : {}) });
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
process.stdout.write(`cookie ss-id=${signInId}; ss-pid=${newSignInId()}; ss-opt=temp\napikey ${key}\n`);
process.stdout.write(`ready ${typeof address === 'object' && address ? address.port : 0}\n`);
process.on('SIGTERM', () => void app.close().then(() => store.close()).then(() => process.exit(0)));
