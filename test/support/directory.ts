import { ApiKeysRepository } from '../../src/auth/api-keys-repository.js';
import { SignInsRepository } from '../../src/auth/sign-ins-repository.js';
import { hashPassword } from '../../src/auth/passwords.js';
import { newSignInId } from '../../src/auth/tokens.js';
import { AccountsRepository } from '../../src/directory/accounts-repository.js';
import { UsersRepository, type UserRecord } from '../../src/directory/users-repository.js';
import type { Role } from '../../src/http/operation.js';
import type { Store } from '../../src/store/open-store.js';

export const addAccount = (store: Store, id: string, name: string, extra: { twilioAuthToken?: string } = {}) =>
  new AccountsRepository(store.db).create({ id, name, ...extra }, new Date());

/** A user straight into the store; a password costs a real scrypt hash, so give one only when signing in with it. */
export async function addUser(
  store: Store,
  email: string,
  roles: Role[],
  accountIds: string[],
  password?: string,
): Promise<UserRecord> {
  const passwordHash = password === undefined ? undefined : await hashPassword(password);
  return (await new UsersRepository(store.db).create({ email, roles, accountIds, passwordHash }, new Date()))!;
}

/** A Cookie header for a server-side sign-in of the user, as a browser would hold after signing in. */
export async function signInCookie(store: Store, user: UserRecord): Promise<string> {
  const id = newSignInId();
  await new SignInsRepository(store.db).create(id, { userId: user.id, provider: 'credentials', permanent: false, expiresAt: new Date(Date.now() + 3600_000) }, new Date());
  return `ss-id=${id}; ss-pid=${newSignInId()}; ss-opt=temp`;
}

export async function addApiKey(store: Store, accountId: string, roles: Role[] = ['User']): Promise<string> {
  return (await new ApiKeysRepository(store.db).create({ accountId, name: 'test', roles }, new Date())).key;
}

/** A SystemAdministrator's cookie: for tests about something other than access. */
export async function adminCookie(store: Store): Promise<string> {
  return signInCookie(store, await addUser(store, 'root@test.local', ['SystemAdministrator'], []));
}
