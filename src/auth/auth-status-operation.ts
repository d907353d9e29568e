import { defineDto } from '../model/dto.js';
import type { Operation } from '../http/operation.js';
import type { AccountsRepository } from '../directory/accounts-repository.js';
import { UserInfo, userInfoOf, type UserInfo as UserInfoValue } from '../directory/user-info.js';
import type { UsersRepository } from '../directory/users-repository.js';
import { ApiError } from '../http/errors.js';

export const GetAuthStatus = defineDto(
  { name: 'GetAuthStatus', namespace: 'Voice.Api.Auth', description: 'Who is signed in, with the accounts they may use' },
  {},
);

/**
 * GET /auth/status → UserInfo. Clients pick their active account from `accountIds`/`accountNames`
 * (parallel lists); a SystemAdministrator gets every account.
 */
export function authStatusOperation(users: UsersRepository, accounts: AccountsRepository): Operation<typeof GetAuthStatus> {
  return {
    request: GetAuthStatus,
    response: UserInfo,
    routes: [{ path: '/auth/status', verbs: ['GET'] }],
    description: 'Who is signed in',
    async handle(_input, { caller }) {
      if (!caller) throw new ApiError('Unauthorized', 'Not Authenticated');
      const accountIds = caller.accountIds === 'all' ? await accounts.allIds() : caller.accountIds;
      const accountNames = await accounts.namesOf(accountIds);
      if (caller.apiKeyId) {
        const info: UserInfoValue = { id: caller.userId, isAuthenticated: true, name: 'API key', roles: [...caller.roles], accountIds: [...accountIds], accountNames, dashboardPermissions: [] };
        return info;
      }
      const user = await users.findById(caller.userId);
      if (!user) throw new ApiError('Unauthorized', 'Not Authenticated');
      return { ...userInfoOf(user, accountIds, accountNames), isAuthenticated: true };
    },
  };
}
