import { CustomersRepository } from '../../src/directory/customers-repository.js';
import { EndpointsRepository } from '../../src/directory/endpoints-repository.js';
import type { Store } from '../../src/store/open-store.js';
import { addAccount, addUser } from './directory.js';

/**
 * Two accounts with a customer tree and endpoints of every kind the filters tell apart. Endpoint ids
 * run against their names (ep_1 is "Bravo Line", ep_5 "Main Line"), so sorting by id and by name differ.
 *
 *   acct_a Acme Holdings: c_root "Acme Root" (crm-root) ─┬─ c_west "West Region" ── c_west_kid "West Kids"
 *                                                          └─ c_east "East Region"
 *   acct_b Bravo Ltd:     c_b "Bravo Root"
 */
export async function seedDirectoryTree(store: Store): Promise<void> {
  await addAccount(store, 'acct_a', 'Acme Holdings');
  await addAccount(store, 'acct_b', 'Bravo Ltd');
  const customers = new CustomersRepository(store.db);
  const at = new Date();
  await customers.create({ id: 'c_root', accountId: 'acct_a', name: 'Acme Root', referenceId: 'crm-root' }, at);
  await customers.create({ id: 'c_west', accountId: 'acct_a', name: 'West Region', parentCustomerId: 'c_root' }, at);
  await customers.create({ id: 'c_west_kid', accountId: 'acct_a', name: 'West Kids', parentCustomerId: 'c_west' }, at);
  await customers.create({ id: 'c_east', accountId: 'acct_a', name: 'East Region', parentCustomerId: 'c_root' }, at);
  await customers.create({ id: 'c_b', accountId: 'acct_b', name: 'Bravo Root' }, at);
  const endpoints = new EndpointsRepository(store.db);
  await endpoints.create({ id: 'ep_5', accountId: 'acct_a', type: 'PhoneNumber', displayName: 'Main Line', phoneNumber: '+15035550100', customerId: 'c_root', referenceId: 'crm-1' }, at);
  await endpoints.create(
    { id: 'ep_4', accountId: 'acct_a', type: 'User', displayName: 'Dana Agent', customerId: 'c_west_kid', userMode: 'SoftPhone', sipUserName: 'dana-sip', email: 'dana@acme.test' },
    at,
  );
  await endpoints.create(
    { id: 'ep_3', accountId: 'acct_a', type: 'User', displayName: 'Eli Agent', customerId: 'c_east', userMode: 'SipPhone', sipUserName: 'eli-sip', email: 'eli@acme.test', referenceId: 'crm-2' },
    at,
  );
  await endpoints.create({ id: 'ep_2', accountId: 'acct_a', type: 'Team', displayName: 'Support Team', customerId: 'c_west' }, at);
  await endpoints.create({ id: 'ep_1', accountId: 'acct_b', type: 'PhoneNumber', displayName: 'Bravo Line', phoneNumber: '+15035550199', customerId: 'c_b' }, at);
  await addUser(store, 'dana@acme.test', ['User'], ['acct_a']);
  await addUser(store, 'eli@bravo.test', ['User'], ['acct_b']);
  await addUser(store, 'both@x.test', ['Manager'], ['acct_a', 'acct_b']);
}
