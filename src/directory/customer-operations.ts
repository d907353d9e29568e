import { Type } from '@sinclair/typebox';
import { defineDto } from '../model/dto.js';
import { CustomerBreadcrumb, EntityInfo } from '../model/session-info.js';
import { ApiError } from '../http/errors.js';
import type { Operation } from '../http/operation.js';
import type { AccountsRepository } from './accounts-repository.js';
import { crudOperations, optional, required } from './crud-operations.js';
import { CUSTOMER_SORT_FIELDS, type CustomerRecord, type CustomerSort, type CustomersRepository } from './customers-repository.js';
import type { Page } from './list-paging.js';
import { accountScope, accountToCreateIn } from './tenancy.js';

const str = (description: string) => Type.Optional(Type.String({ description }));
const MANAGERS = { anyRole: ['Manager', 'SystemAdministrator'] } as const;

// Evo Voice's member order (its metadata page): JSON writes it; XML sorts as DataContractSerializer does.
export const CustomerInfo = defineDto(
  { name: 'CustomerInfo', namespace: 'Voice.Api.Customers', base: EntityInfo, description: 'A node of an account\'s customer tree' },
  {
    accountId: str('The ID of the account the customer belongs to'),
    parentCustomerId: str('The ID of the parent customer'),
    breadcrumb: Type.Optional(Type.Array(CustomerBreadcrumb.schema, { description: 'Root → this customer' })),
    accountName: str('The name of that account'),
    name: str('The name of the customer'),
    referenceId: str('The reference ID for this customer (e.g. in a third party system)'),
  },
);

const strings = (description: string) => Type.Optional(Type.Array(Type.String(), { description }));

/** /customers: readable by every caller of the account, changed by its Managers. */
export function customerOperations(customers: CustomersRepository, accounts: AccountsRepository, now: () => Date): Operation[] {
  /** A parent must be in the same account and must not sit below the customer (no cycles). */
  const assertParent = async (accountId: string, parentId: string | undefined, self?: CustomerRecord) => {
    if (!parentId) return;
    const parent = await customers.findById(parentId);
    if (!parent || parent.accountId !== accountId) throw new ApiError('NotFound', `Customer '${parentId}' does not exist in account '${accountId}'`);
    if (self && (await customers.breadcrumbOf(parent)).some((c) => c.id === self.id)) {
      throw new ApiError('Conflict', `Customer '${parentId}' is below '${self.id}'; a tree cannot loop`);
    }
  };
  return crudOperations<CustomerRecord>(
    {
      noun: 'Customer',
      plural: 'Customers',
      path: '/customers',
      idKey: 'customerId',
      namespace: 'Voice.Api.Customers',
      info: CustomerInfo,
      listFilters: {
        accountIds: strings('Filter by accounts'),
        nameFilter: str('Filter by name (contains, case-insensitive)'),
        parentCustomerIds: strings('Customers below these parents'),
        shallowParent: Type.Optional(Type.Boolean({ description: 'Only the direct children of parentCustomerIds (default: every descendant)' })),
        tagIds: strings('Not supported: Switchboard holds no tags'),
      },
      refusedFilters: { tagIds: 'Switchboard holds no tags' },
      renamedFilters: { name: 'nameFilter', parentCustomerId: 'parentCustomerIds' },
      sortFields: CUSTOMER_SORT_FIELDS,
      newFields: {
        accountId: str('The account'),
        name: str('The name'),
        parentCustomerId: str('The parent customer'),
        referenceId: str('The reference ID for this customer (e.g. in a third party system)'),
      },
      patchFields: {
        name: str('The name'),
        parentCustomerId: str('The parent customer (empty: none)'),
        referenceId: str('The reference ID for this customer (empty: none)'),
      },
      access: { read: { anyRole: [] }, create: MANAGERS, update: MANAGERS, delete: MANAGERS },
      find: (id) => customers.findById(id),
      accountsOf: (customer) => [customer.accountId],
      list: (input, caller, page) =>
        customers.list(
          {
            accountIds: accountScope(caller, input.accountIds as string[] | undefined),
            nameFilter: optional(input, 'nameFilter'),
            parentCustomerIds: input.parentCustomerIds as string[] | undefined,
            shallowParent: input.shallowParent === true,
            specificIds: input.specificIds,
          },
          page as Page<CustomerSort>,
        ),
      create: async (input, caller, at) => {
        const accountId = await accountToCreateIn(caller, required(input, 'accountId', 'Account Id'), accounts);
        const parentCustomerId = optional(input, 'parentCustomerId') || undefined;
        await assertParent(accountId, parentCustomerId);
        return customers.create({ accountId, name: required(input, 'name', 'Name'), parentCustomerId, referenceId: optional(input, 'referenceId') }, at);
      },
      update: async (customer, input, _caller, at) => {
        const parent = optional(input, 'parentCustomerId');
        await assertParent(customer.accountId, parent || undefined, customer);
        const changes = { name: optional(input, 'name'), parentCustomerId: parent === undefined ? undefined : parent || null, referenceId: optional(input, 'referenceId') };
        return customers.update(customer, changes, at);
      },
      remove: async (customer) => {
        if (await customers.hasChildren(customer)) throw new ApiError('Conflict', `Customer '${customer.id}' has child customers; move or delete them first`);
        await customers.delete(customer);
      },
      infoOf: async (customer) => ({
        ...customer,
        breadcrumb: await customers.breadcrumbOf(customer),
        accountName: (await accounts.namesOf([customer.accountId]))[0] || undefined,
      }),
    },
    now,
  );
}
