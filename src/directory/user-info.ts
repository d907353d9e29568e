import { Type, type Static } from '@sinclair/typebox';
import { defineDto } from '../model/dto.js';
import type { UserRecord } from './users-repository.js';

const str = (description: string) => Type.Optional(Type.String({ description }));
const strings = (description: string) => Type.Optional(Type.Array(Type.String(), { description }));

/** `UserInfo` (evo-voice-sessions-api.md §3): what GET /auth/status and /users return. */
export const UserInfo = defineDto(
  { name: 'UserInfo', namespace: 'Voice.Api.Users', description: 'A person who signs in' },
  {
    id: str('The ID of the user'),
    // .NET `bool`s: never null, so an unset one is written false (.NET cannot read i:nil into a bool).
    isAuthenticated: Type.Optional(Type.Boolean({ description: 'Is the caller signed in', default: false })),
    firstName: str('First name'),
    lastName: str('Last name'),
    name: str('The name to show'),
    avatarUrl: str('Avatar image URL'),
    emailAddress: str('Email address (the sign-in name)'),
    roles: strings('Roles: User, Manager, SystemAdministrator, Customer, CallCenterDashboard'),
    accountIds: strings('The accounts the user may use'),
    accountNames: strings('The names of those accounts, parallel to accountIds'),
    managerAccess: Type.Optional(Type.Boolean({ description: 'Can the user manage its accounts', default: false })),
    dashboardPermissions: strings('Call-center dashboard permissions'),
  },
);
export type UserInfo = Static<typeof UserInfo.schema>;

/** The name ServiceStack shows: display name, else "First Last", else the email. */
export const nameOf = (user: UserRecord) =>
  user.displayName ?? ([user.firstName, user.lastName].filter(Boolean).join(' ') || user.email);

/** A user as UserInfo, with the names of `accountIds` (which may be wider than the user's own, for admins). */
export function userInfoOf(user: UserRecord, accountIds: readonly string[], accountNames: readonly string[]): UserInfo {
  return {
    id: user.id,
    ...(user.firstName ? { firstName: user.firstName } : {}),
    ...(user.lastName ? { lastName: user.lastName } : {}),
    name: nameOf(user),
    emailAddress: user.email,
    roles: [...user.roles],
    accountIds: [...accountIds],
    accountNames: [...accountNames],
    managerAccess: user.roles.includes('Manager') || user.roles.includes('SystemAdministrator'),
    dashboardPermissions: [],
  };
}
