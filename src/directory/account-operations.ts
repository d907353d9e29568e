import { Type } from '@sinclair/typebox';
import { defineDto } from '../model/dto.js';
import { EntityInfo } from '../model/session-info.js';
import { ApiError } from '../http/errors.js';
import type { Caller, Operation } from '../http/operation.js';
import { ACCOUNT_SORT_FIELDS, type AccountRecord, type AccountSort, type AccountsRepository } from './accounts-repository.js';
import type { Page } from './list-paging.js';
import { crudOperations, optional, required } from './crud-operations.js';
import { accountScope, assertMayUse } from './tenancy.js';

const str = (description: string) => Type.Optional(Type.String({ description }));

export const AccountInfo = defineDto(
  { name: 'AccountInfo', namespace: 'Voice.Api.Accounts', base: EntityInfo, description: 'A tenant' },
  {
    name: str('The name of the account'),
    parentAccountId: str('The ID of the parent account'),
    twilioAccountSid: str('The Twilio account SID'),
    ancestorIds: Type.Optional(Type.Array(Type.String(), { description: 'The ancestors of this account, root first' })),
  },
);

// Auth tokens are write-only: accepted here, stored, never in any response.
const writable = {
  name: str('The name of the account'),
  parentAccountId: str('The ID of the parent account'),
  twilioAccountSid: str('The Twilio account SID'),
  twilioAuthToken: str('The Twilio auth token (write-only)'),
  twilioAuthTokenSecondary: str('The Twilio auth token being rotated in or out (write-only)'),
};

/** /accounts: every signed-in caller reads its own accounts; Managers edit theirs; SystemAdministrators create and delete. */
export function accountOperations(accounts: AccountsRepository, now: () => Date): Operation[] {
  const fields = async (input: Record<string, unknown>, caller: Caller) => {
    const parentAccountId = optional(input, 'parentAccountId');
    // The caller's own accounts only: otherwise the answer would tell which foreign ids exist.
    if (parentAccountId) assertMayUse(caller, parentAccountId);
    if (parentAccountId && !(await accounts.findById(parentAccountId))) throw new ApiError('NotFound', `Account '${parentAccountId}' does not exist`);
    return {
      parentAccountId,
      twilioAccountSid: optional(input, 'twilioAccountSid'),
      twilioAuthToken: optional(input, 'twilioAuthToken'),
      twilioAuthTokenSecondary: optional(input, 'twilioAuthTokenSecondary'),
    };
  };
  return crudOperations<AccountRecord>(
    {
      noun: 'Account',
      plural: 'Accounts',
      path: '/accounts',
      idKey: 'accountId',
      namespace: 'Voice.Api.Accounts',
      info: AccountInfo,
      listFilters: { nameFilter: str('Filter by name (contains, case-insensitive)') },
      renamedFilters: { name: 'nameFilter' },
      sortFields: ACCOUNT_SORT_FIELDS,
      newFields: writable,
      patchFields: writable,
      access: {
        read: { anyRole: [] },
        create: { anyRole: ['SystemAdministrator'] },
        update: { anyRole: ['Manager', 'SystemAdministrator'] },
        delete: { anyRole: ['SystemAdministrator'] },
      },
      find: (id) => accounts.findById(id),
      accountsOf: (account) => [account.id],
      list: (input, caller, page) =>
        accounts.list({ accountIds: accountScope(caller, input.specificIds), nameFilter: optional(input, 'nameFilter') }, page as Page<AccountSort>),
      create: async (input, caller, at) => accounts.create({ name: required(input, 'name', 'Name'), ...(await fields(input, caller)) }, at),
      update: async (account, input, caller, at) => {
        const changes = { name: optional(input, 'name') || undefined, ...(await fields(input, caller)) };
        if (changes.parentAccountId === account.id) throw new ApiError('Conflict', 'An account cannot be its own parent');
        return (await accounts.update(account.id, changes, at))!;
      },
      remove: async (account) => void (await accounts.delete(account.id)),
      infoOf: async (account) => ({ ...account, ancestorIds: await accounts.ancestorIdsOf(account) }),
    },
    now,
  );
}
