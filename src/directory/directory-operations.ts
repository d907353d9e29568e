import type { AuthServices } from '../auth/auth-services.js';
import type { Operation } from '../http/operation.js';
import type { Store } from '../store/open-store.js';
import { accountOperations } from './account-operations.js';
import { customerOperations } from './customer-operations.js';
import { CustomersRepository } from './customers-repository.js';
import { endpointOperations } from './endpoint-operations.js';
import { EndpointsRepository } from './endpoints-repository.js';
import { userOperations } from './user-operations.js';

/**
 * Literal routes Evo Voice serves beside `/{resource}/{id}` that Switchboard does not (Evo's
 * duplicate-endpoint report): a request there is a 405, never a read of an endpoint called so.
 */
export const UNSERVED_EVO_ROUTES: readonly string[] = ['/endpoints/duplicates'];

/** /accounts, /customers, /endpoints and /users, wired to their repositories. */
export function directoryOperations(store: Store, auth: AuthServices): Operation[] {
  const now = auth.authenticator.timings.now;
  const customers = new CustomersRepository(store.db);
  return [
    ...accountOperations(auth.accounts, now),
    ...customerOperations(customers, auth.accounts, now),
    ...endpointOperations(new EndpointsRepository(store.db), customers, auth.accounts, now),
    ...userOperations(auth.users, auth.accounts, auth.signOutEverywhere, now),
  ];
}
