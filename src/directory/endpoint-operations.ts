import { Type, type Static, type TProperties } from '@sinclair/typebox';
import { defineDto } from '../model/dto.js';
import { CustomerBreadcrumb, EntityInfo } from '../model/session-info.js';
import { ApiError, validationError } from '../http/errors.js';
import type { Caller, Operation } from '../http/operation.js';
import type { AccountsRepository } from './accounts-repository.js';
import { crudOperations, optional, required } from './crud-operations.js';
import type { CustomersRepository } from './customers-repository.js';
import { typedEndpointCreates } from './endpoint-create-operations.js';
import { ENDPOINT_SORT_FIELDS, type EndpointFields, type EndpointRecord, type EndpointSort, type EndpointsRepository } from './endpoints-repository.js';
import { EndpointTypes, UserModes } from './endpoint-types.js';
import type { Page } from './list-paging.js';
import { accountScope, accountToCreateIn } from './tenancy.js';

const str = (description: string) => Type.Optional(Type.String({ description }));
const strings = (description: string) => Type.Optional(Type.Array(Type.String(), { description }));
const MANAGERS = { anyRole: ['Manager', 'SystemAdministrator'] } as const;

// The members PatchEndpoint applies, each one stored; the Info type shows them all.
const editable = {
  customerId: str('The customer the endpoint belongs to (empty: none)'),
  referenceId: str('The third party reference ID for the endpoint (empty: none)'),
  displayName: str('The name to show'),
  phoneNumber: str('The phone number, E.164 (PhoneNumber endpoints)'),
  userMode: Type.Optional({ ...UserModes.schema, description: 'How a User endpoint takes calls' }),
  sipUserName: str('The SIP user name (User endpoints on a SIP phone)'),
  identity: str("The agent's client identity, e.g. client:dana (User endpoints)"),
  email: str('Email address'),
  avatarUrl: str('Avatar image URL'),
};

// Evo Voice's member order (its metadata page) for the members it publishes, then Switchboard's.
export const EndpointInfo = defineDto(
  { name: 'EndpointInfo', namespace: 'Voice.Api.Endpoints', base: EntityInfo, description: 'A phone number, agent, team…' },
  {
    accountId: str('The ID of the account the endpoint belongs to'),
    accountName: str('The name of that account'),
    customerId: str('The ID of the customer this endpoint is associated with'),
    customerName: str('The name of that customer'),
    referenceId: str('The third party reference ID for the endpoint'),
    customerBreadcrumb: Type.Optional(Type.Array(CustomerBreadcrumb.schema, { description: 'Root → the endpoint\'s customer' })),
    displayName: str('The name to show'),
    type: Type.Optional({ ...EndpointTypes.schema, description: 'The kind of endpoint' }),
    phoneNumber: editable.phoneNumber,
    userMode: editable.userMode,
    sipUserName: editable.sipUserName,
    identity: editable.identity,
    email: editable.email,
    avatarUrl: editable.avatarUrl,
  },
);

export type EndpointInfo = Static<typeof EndpointInfo.schema>;

const E164 = /^\+[1-9]\d{1,14}$/;
const NO_FLOWS = 'Switchboard holds no flows';

/** What every way of creating an endpoint needs: the record's fields, validated, and its account. */
export interface EndpointCreation {
  readonly type: string;
  readonly displayName: string;
  readonly fields: Record<string, unknown>;
}

/** /endpoints: readable by every caller of the account, changed by its Managers. */
export function endpointOperations(
  endpoints: EndpointsRepository,
  customers: CustomersRepository,
  accounts: AccountsRepository,
  now: () => Date,
): Operation[] {
  const fieldsOf = async (input: Record<string, unknown>, accountId: string): Promise<EndpointFields> => {
    const fields: Record<string, string | undefined> = {};
    for (const key of Object.keys(editable)) fields[key] = optional(input, key);
    if (fields.displayName === '') throw validationError('DisplayName', 'NotEmpty', "'Display Name' must not be empty.");
    if (fields.phoneNumber && !E164.test(fields.phoneNumber)) {
      throw validationError('PhoneNumber', 'Matches', `'Phone Number' must be in E.164 form, e.g. +15035550100.`);
    }
    if (fields.customerId) {
      const customer = await customers.findById(fields.customerId);
      if (!customer || customer.accountId !== accountId) throw new ApiError('NotFound', `Customer '${fields.customerId}' does not exist in account '${accountId}'`);
    }
    return fields;
  };
  const create = async (input: Record<string, unknown>, caller: Caller, made: EndpointCreation) => {
    const accountId = await accountToCreateIn(caller, required(input, 'accountId', 'Account Id'), accounts);
    const fields = await fieldsOf({ ...made.fields, displayName: made.displayName }, accountId);
    return endpoints.create({ ...fields, accountId, type: made.type, displayName: made.displayName }, now());
  };
  const infoOf = async (endpoint: EndpointRecord) => {
    const customer = endpoint.customerId ? await customers.findInAccount(endpoint.accountId, endpoint.customerId) : undefined;
    return {
      ...endpoint,
      accountName: (await accounts.namesOf([endpoint.accountId]))[0] || undefined,
      customerName: customer?.name,
      customerBreadcrumb: customer ? await customers.breadcrumbOf(customer) : undefined,
    };
  };
  /** `customerIds` reach every descendant customer unless `shallowParent` asks for those customers only. */
  const customerScope = async (input: Record<string, unknown>, accountIds: readonly string[] | 'all') => {
    const ids = input.customerIds as string[] | undefined;
    if (!ids?.length || input.shallowParent === true) return ids;
    return [...new Set([...ids, ...(await customers.descendantsOf(accountIds, ids))])];
  };
  /** `type` and `types` both hold: an endpoint of `type` that is also one of `types`. */
  const typesOf = (input: Record<string, unknown>) => {
    const type = input.type as string | undefined;
    const types = input.types as string[] | undefined;
    if (type && types?.length) return types.includes(type) ? [type] : ['-none-'];
    return type ? [type] : types;
  };
  /** Digits (and a leading +) are what a number is: `503-555` finds +15035550100. */
  const phoneFilterOf = (input: Record<string, unknown>) => {
    const text = optional(input, 'phoneNumberFilter');
    return text && (text.replace(/[^\d+]/g, '') || text);
  };

  const listFilters: TProperties = {
    accountIds: strings('The IDs of the accounts whose endpoints to list'),
    customerIds: strings('The IDs of the customers whose endpoints to list (and their descendants, unless shallowParent)'),
    referenceIds: strings('The third party IDs of the endpoints to list'),
    shallowParent: Type.Optional(Type.Boolean({ description: 'customerIds without their descendant customers' })),
    flowIds: strings(`Not supported: ${NO_FLOWS}`),
    flowState: str(`Not supported: ${NO_FLOWS}`),
    tagIds: strings('Not supported: Switchboard holds no tags'),
    nameFilter: str('The display name contains this (case-insensitive)'),
    phoneNumberFilter: str('The phone number contains these digits'),
    type: Type.Optional({ ...EndpointTypes.schema, description: 'Filter by type' }),
    types: Type.Optional(Type.Array(EndpointTypes.schema, { description: 'Filter by types (any of them)' })),
    userMode: Type.Optional({ ...UserModes.schema, description: 'Filter by user mode' }),
    dataFilters: strings('Not supported: Switchboard holds no endpoint data fields'),
    sipUserName: str('Filter by SIP user name (exact)'),
    flowParametersFilter: str(`Not supported: ${NO_FLOWS}`),
  };

  return crudOperations<EndpointRecord>(
    {
      noun: 'Endpoint',
      plural: 'Endpoints',
      path: '/endpoints',
      idKey: 'endpointId',
      namespace: 'Voice.Api.Endpoints',
      info: EndpointInfo,
      listFilters,
      refusedFilters: {
        flowIds: NO_FLOWS,
        flowState: NO_FLOWS,
        tagIds: 'Switchboard holds no tags',
        dataFilters: 'Switchboard holds no endpoint data fields',
        flowParametersFilter: NO_FLOWS,
      },
      renamedFilters: { name: 'nameFilter' },
      sortFields: ENDPOINT_SORT_FIELDS,
      newFields: { accountId: str('The account'), type: Type.Optional(EndpointTypes.schema), ...editable },
      patchFields: editable,
      access: { read: { anyRole: [] }, create: MANAGERS, update: MANAGERS, delete: MANAGERS },
      find: (id) => endpoints.findById(id),
      accountsOf: (endpoint) => [endpoint.accountId],
      list: async (input, caller, page) => {
        const accountIds = accountScope(caller, input.accountIds as string[] | undefined);
        return endpoints.list(
          {
            accountIds,
            customerIds: await customerScope(input, accountIds),
            referenceIds: input.referenceIds as string[] | undefined,
            types: typesOf(input),
            nameFilter: optional(input, 'nameFilter'),
            phoneNumberFilter: phoneFilterOf(input),
            userMode: optional(input, 'userMode'),
            sipUserName: optional(input, 'sipUserName'),
            specificIds: input.specificIds,
          },
          page as Page<EndpointSort>,
        );
      },
      create: (input, caller) => create(input, caller, { type: required(input, 'type', 'Type'), displayName: required(input, 'displayName', 'Display Name'), fields: input }),
      update: async (endpoint, input, _caller, at) => endpoints.update(endpoint, await fieldsOf(input, endpoint.accountId), at),
      remove: (endpoint) => endpoints.delete(endpoint),
      infoOf,
      extraOperations: typedEndpointCreates(async (input, caller, made) => infoOf(await create(input, caller, made)), EndpointInfo, MANAGERS),
    },
    now,
  );
}
