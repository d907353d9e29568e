import type { AuthServices } from '../auth/auth-services.js';
import { hashPassword } from '../auth/passwords.js';
import { CustomersRepository } from '../directory/customers-repository.js';
import { EndpointsRepository } from '../directory/endpoints-repository.js';
import type { Role } from '../http/operation.js';
import type { Store } from '../store/open-store.js';
import { AGENTS, BREADCRUMB, DEMO_ACCOUNT, MAIN_LINE } from './demo-sessions.js';

/** The Manager's own User endpoint: a supervisor who can take calls, so `/sessions/active` works for them too. */
const SUPERVISOR = { identity: 'client:morgan', endpointId: 'ep_demo_morgan', displayName: 'Morgan Manager' };

/**
 * Demo people: a Manager and two agents, each the person behind a User endpoint (by its email),
 * which is how `/sessions/my` and `/sessions/active` know whose sessions are whose. The passwords
 * are public on purpose: this is the demo.
 */
export const DEMO_USERS: readonly { email: string; password: string; roles: Role[]; firstName: string; lastName: string; endpointId: string }[] = [
  { email: 'manager@demo.switchboard.local', password: 'demo-manager', roles: ['Manager', 'User'], firstName: 'Morgan', lastName: 'Manager', endpointId: SUPERVISOR.endpointId },
  { email: 'dana@demo.switchboard.local', password: 'demo-agent', roles: ['User'], firstName: 'Dana', lastName: 'Reyes', endpointId: AGENTS.dana.endpointId },
  { email: 'lee@demo.switchboard.local', password: 'demo-agent', roles: ['User'], firstName: 'Lee', lastName: 'Okafor', endpointId: AGENTS.lee.endpointId },
];

/**
 * The demo account's directory — account, customer tree, main line, agents — and its people.
 * Idempotent: what exists is left alone. Returns the users it created.
 */
export async function seedDemoDirectory(store: Store, auth: AuthServices, now: Date): Promise<string[]> {
  await auth.accounts.create({ id: DEMO_ACCOUNT.id, name: DEMO_ACCOUNT.name }, now);
  const customers = new CustomersRepository(store.db);
  let parentCustomerId: string | undefined;
  for (const crumb of BREADCRUMB) {
    await customers.create({ id: crumb.id, accountId: DEMO_ACCOUNT.id, name: crumb.name, parentCustomerId }, now);
    parentCustomerId = crumb.id;
  }
  const endpoints = new EndpointsRepository(store.db);
  await endpoints.create(
    { id: MAIN_LINE.endpointId, accountId: DEMO_ACCOUNT.id, customerId: parentCustomerId, type: 'PhoneNumber', displayName: MAIN_LINE.endpointName, phoneNumber: MAIN_LINE.toAddress },
    now,
  );
  for (const agent of [...Object.values(AGENTS), SUPERVISOR]) {
    const email = DEMO_USERS.find((person) => person.endpointId === agent.endpointId)?.email;
    const endpoint = await endpoints.create({ id: agent.endpointId, accountId: DEMO_ACCOUNT.id, type: 'User', displayName: agent.displayName, identity: agent.identity, email }, now);
    // A demo seeded before its agents had emails gets them now; anything else set is left alone.
    if (email && !endpoint.email) await endpoints.update(endpoint, { email }, now);
  }
  const created: string[] = [];
  for (const person of DEMO_USERS) {
    if (await auth.users.findByEmail(person.email)) continue;
    const { email, roles, firstName, lastName, password } = person;
    await auth.users.create({ email, roles, firstName, lastName, passwordHash: await hashPassword(password), accountIds: [DEMO_ACCOUNT.id] }, now);
    created.push(person.email);
  }
  return created;
}
