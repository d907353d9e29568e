import { Type } from '@sinclair/typebox';
import { defineDto, defineEnum } from '../model/dto.js';
import { EntityInfo } from '../model/session-info.js';
import { ApiError, validationError } from '../http/errors.js';
import type { Operation } from '../http/operation.js';
import type { AccountsRepository } from './accounts-repository.js';
import { crudOperations, optional, required } from './crud-operations.js';
import type { CustomersRepository } from './customers-repository.js';
import type { EndpointFields, EndpointRecord, EndpointsRepository } from './endpoints-repository.js';
import { accountScope, accountToCreateIn } from './tenancy.js';

const str = (description: string) => Type.Optional(Type.String({ description }));
const MANAGERS = { anyRole: ['Manager', 'SystemAdministrator'] } as const;

export const EndpointTypes = defineEnum('EndpointTypes', 'Voice.Api.Endpoints', [
  'PhoneNumber',
  'User',
  'Team',
  'Email',
  'Fax',
  'EmergencyAddress',
  'SipTrunk',
  'AssistantBot',
]);

const editable = {
  customerId: str('The customer the endpoint belongs to'),
  displayName: str('The name to show'),
  phoneNumber: str('The phone number, E.164 (PhoneNumber endpoints)'),
  identity: str("The agent's client identity, e.g. client:dana (User endpoints)"),
  email: str('Email address'),
  avatarUrl: str('Avatar image URL'),
};

export const EndpointInfo = defineDto(
  { name: 'EndpointInfo', namespace: 'Voice.Api.Endpoints', base: EntityInfo, description: 'A phone number, agent, team…' },
  {
    accountId: str('The ID of the account the endpoint belongs to'),
    accountName: str('The name of that account'),
    type: Type.Optional({ ...EndpointTypes.schema, description: 'The kind of endpoint' }),
    ...editable,
  },
);

const E164 = /^\+[1-9]\d{1,14}$/;

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
  return crudOperations<EndpointRecord>(
    {
      noun: 'Endpoint',
      plural: 'Endpoints',
      path: '/endpoints',
      idKey: 'endpointId',
      namespace: 'Voice.Api.Endpoints',
      info: EndpointInfo,
      listFilters: {
        accountIds: Type.Optional(Type.Array(Type.String(), { description: 'Filter by accounts' })),
        customerIds: Type.Optional(Type.Array(Type.String(), { description: 'Filter by customers' })),
        type: Type.Optional({ ...EndpointTypes.schema, description: 'Filter by type' }),
        name: str('Filter by display name (contains)'),
      },
      newFields: { accountId: str('The account'), type: Type.Optional(EndpointTypes.schema), ...editable },
      patchFields: editable,
      access: { read: { anyRole: [] }, create: MANAGERS, update: MANAGERS, delete: MANAGERS },
      find: (id) => endpoints.findById(id),
      accountsOf: (endpoint) => [endpoint.accountId],
      list: (input, caller, page) =>
        endpoints.list(
          {
            accountIds: accountScope(caller, input.accountIds as string[] | undefined),
            customerIds: input.customerIds as string[] | undefined,
            type: optional(input, 'type'),
            name: optional(input, 'name'),
            specificIds: input.specificIds,
          },
          page,
        ),
      create: async (input, caller, at) => {
        const accountId = await accountToCreateIn(caller, required(input, 'accountId', 'Account Id'), accounts);
        const type = required(input, 'type', 'Type');
        const fields = await fieldsOf(input, accountId);
        return endpoints.create({ ...fields, accountId, type, displayName: required(input, 'displayName', 'Display Name') }, at);
      },
      update: async (endpoint, input, _caller, at) => endpoints.update(endpoint, await fieldsOf(input, endpoint.accountId), at),
      remove: (endpoint) => endpoints.delete(endpoint),
      infoOf: async (endpoint) => ({ ...endpoint, accountName: (await accounts.namesOf([endpoint.accountId]))[0] || undefined }),
    },
    now,
  ) as Operation[];
}
