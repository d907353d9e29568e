import type { Store } from '../store/open-store.js';
import { AccountsRepository } from '../directory/accounts-repository.js';
import { UsersRepository } from '../directory/users-repository.js';
import { ApiKeysRepository } from './api-keys-repository.js';
import { SignInsRepository } from './sign-ins-repository.js';
import { Authenticator, DEFAULT_TIMINGS, type AuthTimings } from './authenticator.js';
import { PasswordSignIn } from './password-sign-in.js';
import { DEFAULT_THROTTLE, SignInThrottle, type ThrottleRules } from './sign-in-throttle.js';

export interface AuthOptions {
  readonly timings?: Partial<AuthTimings>;
  readonly throttle?: ThrottleRules;
}

export interface AuthServices {
  readonly users: UsersRepository;
  readonly accounts: AccountsRepository;
  readonly signIns: SignInsRepository;
  readonly apiKeys: ApiKeysRepository;
  readonly passwords: PasswordSignIn;
  readonly authenticator: Authenticator;
  /** Ends every sign-in of a user, in the database and in this instance's cache. */
  signOutEverywhere(userId: string): Promise<void>;
}

/** The authentication collaborators over one store, built once per app. */
export function authServices(store: Store, options: AuthOptions = {}): AuthServices {
  const users = new UsersRepository(store.db);
  const signIns = new SignInsRepository(store.db);
  const apiKeys = new ApiKeysRepository(store.db);
  const passwords = new PasswordSignIn(users, new SignInThrottle(store.db, options.throttle ?? DEFAULT_THROTTLE));
  const authenticator = new Authenticator(users, signIns, apiKeys, passwords, { ...DEFAULT_TIMINGS, ...options.timings });
  const signOutEverywhere = async (userId: string) => {
    await signIns.deleteForUser(userId);
    authenticator.forgetUser(userId);
  };
  return { users, accounts: new AccountsRepository(store.db), signIns, apiKeys, passwords, authenticator, signOutEverywhere };
}
