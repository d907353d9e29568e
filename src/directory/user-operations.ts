import { Type } from '@sinclair/typebox';
import { hashPassword } from '../auth/passwords.js';
import { readRoles } from '../auth/roles.js';
import { ApiError, validationError } from '../http/errors.js';
import type { Caller, Operation, Role } from '../http/operation.js';
import type { AccountsRepository } from './accounts-repository.js';
import { crudOperations, optional, required } from './crud-operations.js';
import { accountScope, assertMayUse, seesEveryAccount, visibleAccounts } from './tenancy.js';
import { UserInfo, userInfoOf } from './user-info.js';
import type { Page } from './list-paging.js';
import { USER_SORT_FIELDS, type UserFields, type UserRecord, type UserSort, type UsersRepository } from './users-repository.js';

const str = (description: string) => Type.Optional(Type.String({ description }));
const strings = (description: string) => Type.Optional(Type.Array(Type.String(), { description }));
const MANAGERS = { anyRole: ['Manager', 'SystemAdministrator'] } as const;
/** API keys read people, never make, change or remove them (README, Signing in and tenants). */
const PEOPLE_MANAGERS = { ...MANAGERS, peopleOnly: true } as const;

/**
 * An email is a sign-in name, unique across every account. Taken in the caller's account or in
 * another, the answer is the same and names no account (docs/errors.md).
 */
const emailTaken = () => new ApiError('Conflict', 'This email address cannot be used');
export const MIN_PASSWORD_LENGTH = 8;

const editable = {
  emailAddress: str('Email address (the sign-in name)'),
  firstName: str('First name'),
  lastName: str('Last name'),
  name: str('The name to show'),
  password: str(`Password (at least ${MIN_PASSWORD_LENGTH} characters; write-only)`),
  roles: strings('Roles: User, Manager, SystemAdministrator, Customer, CallCenterDashboard'),
  accountIds: strings('The accounts the user may use'),
};

/** A password a person can be given: long enough, and hashed before it goes anywhere. */
export async function passwordHashOf(password: string): Promise<string> {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw validationError('Password', 'MinimumLength', `'Password' must be at least ${MIN_PASSWORD_LENGTH} characters. You entered ${password.length} characters.`);
  }
  return hashPassword(password);
}

/**
 * /users: Managers see and manage the people of their accounts; only a SystemAdministrator grants
 * SystemAdministrator, touches one, or gives accounts the caller does not have.
 */
export function userOperations(
  users: UsersRepository,
  accounts: AccountsRepository,
  signOutEverywhere: (userId: string) => Promise<void>,
  now: () => Date,
): Operation[] {
  const fieldsOf = async (input: Record<string, unknown>, caller: Caller): Promise<UserFields> => {
    const fields: { -readonly [K in keyof UserFields]: UserFields[K] } = {
      email: optional(input, 'emailAddress'),
      firstName: optional(input, 'firstName'),
      lastName: optional(input, 'lastName'),
      displayName: optional(input, 'name'),
    };
    if (fields.email !== undefined && !/^[^\s@]+@[^\s@]+$/.test(fields.email)) {
      throw validationError('EmailAddress', 'EmailValidator', "'Email Address' is not a valid email address.");
    }
    const password = input.password;
    if (typeof password === 'string') fields.passwordHash = await passwordHashOf(password);
    if (Array.isArray(input.roles)) fields.roles = rolesOf(input.roles as string[], caller);
    if (Array.isArray(input.accountIds)) {
      const ids = input.accountIds as string[];
      for (const id of ids) assertMayUse(caller, id);
      const names = await accounts.namesOf(ids);
      const missing = ids.find((_, i) => !names[i]);
      if (missing) throw new ApiError('NotFound', `Account '${missing}' does not exist`);
      fields.accountIds = ids;
    }
    return fields;
  };
  const assertManageable = (user: UserRecord, caller: Caller) => {
    if (user.roles.includes('SystemAdministrator') && !caller.roles.includes('SystemAdministrator')) {
      throw new ApiError('Forbidden', 'Only a SystemAdministrator may change a SystemAdministrator');
    }
  };
  return crudOperations<UserRecord>(
    {
      noun: 'User',
      plural: 'Users',
      path: '/users',
      idKey: 'userId',
      namespace: 'Voice.Api.Users',
      info: UserInfo,
      listFilters: { accountIds: strings('Filter by accounts'), emailFilter: str('Filter by email address (contains, case-insensitive)') },
      renamedFilters: { emailAddress: 'emailFilter' },
      sortFields: USER_SORT_FIELDS,
      newFields: editable,
      patchFields: editable,
      access: { read: MANAGERS, create: PEOPLE_MANAGERS, update: PEOPLE_MANAGERS, delete: PEOPLE_MANAGERS },
      find: (id) => users.findById(id),
      accountsOf: (user) => user.accountIds,
      list: (input, caller, page) =>
        users.list(
          { accountIds: accountScope(caller, input.accountIds as string[] | undefined), emailFilter: optional(input, 'emailFilter'), specificIds: input.specificIds },
          page as Page<UserSort>,
        ),
      create: async (input, caller, at) => {
        const email = required(input, 'emailAddress', 'Email Address');
        required(input, 'password', 'Password');
        const fields = await fieldsOf(input, caller);
        if (!seesEveryAccount(caller) && !fields.accountIds?.length) {
          throw validationError('AccountIds', 'NotEmpty', "'Account Ids' must not be empty.");
        }
        const user = await users.create({ ...fields, email, roles: fields.roles ?? ['User'] }, at);
        if (!user) throw emailTaken();
        return user;
      },
      update: async (user, input, caller, at) => {
        assertManageable(user, caller);
        const fields = await fieldsOf(input, caller);
        const updated = await users.update(user.id, fields, at);
        if (updated === 'conflict') throw emailTaken();
        // A new password signs the user out everywhere.
        if (fields.passwordHash) await signOutEverywhere(user.id);
        return updated!;
      },
      remove: async (user, caller) => {
        assertManageable(user, caller);
        await users.delete(user.id);
        await signOutEverywhere(user.id);
      },
      infoOf: async (user, caller) => {
        const shown = visibleAccounts(caller, user.accountIds);
        return userInfoOf(user, shown, await accounts.namesOf(shown));
      },
    },
    now,
  );
}

function rolesOf(names: readonly string[], caller: Caller): Role[] {
  const { roles, unknown } = readRoles(names);
  if (unknown.length) throw validationError('Roles', 'Predicate', `Unknown role(s): ${unknown.join(', ')}`);
  if (roles.includes('SystemAdministrator') && !caller.roles.includes('SystemAdministrator')) {
    throw new ApiError('Forbidden', 'Only a SystemAdministrator may grant SystemAdministrator');
  }
  return roles;
}
