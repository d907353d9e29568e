import type { SessionInfo } from '../model/session-info.js';
import type { Store } from '../store/open-store.js';
import { AccountsRepository } from './accounts-repository.js';
import { CustomersRepository } from './customers-repository.js';
import { EndpointsRepository } from './endpoints-repository.js';

/**
 * Creates the account, customers (along the breadcrumb) and endpoint an imported session points
 * to, by their ids and the names the session carries, when they are missing; existing records are
 * left alone. So imported sessions belong to real tenants.
 */
export function directoryFromSessions(store: Store, now: () => Date = () => new Date()) {
  const accounts = new AccountsRepository(store.db);
  const customers = new CustomersRepository(store.db);
  const endpoints = new EndpointsRepository(store.db);
  return async (session: SessionInfo): Promise<void> => {
    const accountId = session.accountId;
    if (!accountId) return;
    await accounts.create({ id: accountId, name: session.accountName || accountId }, now());
    const crumbs = session.customerBreadcrumb?.length
      ? session.customerBreadcrumb
      : session.customerId
        ? [{ id: session.customerId, name: session.customerName }]
        : [];
    let parentCustomerId: string | undefined;
    for (const crumb of crumbs) {
      if (!crumb.id) continue;
      await customers.create({ id: crumb.id, accountId, name: crumb.name || crumb.id, parentCustomerId }, now());
      parentCustomerId = crumb.id;
    }
    if (session.endpointId) {
      const phone = session.direction === 'Outgoing' ? session.fromAddress : session.toAddress;
      await endpoints.create(
        {
          id: session.endpointId,
          accountId,
          customerId: session.customerId,
          type: phone && /^\+[1-9]\d{1,14}$/.test(phone) ? 'PhoneNumber' : 'User',
          displayName: session.endpointName || session.endpointId,
          ...(phone && /^\+[1-9]\d{1,14}$/.test(phone) ? { phoneNumber: phone } : {}),
        },
        now(),
      );
    }
  };
}
