import { Type, type Static } from '@sinclair/typebox';
import { defineDto, StringMap } from '../model/dto.js';
import { ResponseStatus } from '../model/response-status.js';

// ServiceStack's own auth contracts (servicestack-wire.md §7.2, §7.3): [DataMember(Order)] order.
const SERVICESTACK = { namespace: 'ServiceStack', xmlNamespace: 'http://schemas.servicestack.net/types', memberOrder: 'declared' } as const;
const str = () => Type.Optional(Type.String());

export const Authenticate = defineDto(
  { name: 'Authenticate', ...SERVICESTACK, description: 'Sign in (provider credentials), see who is signed in, or sign out (provider logout)' },
  {
    provider: str(),
    userName: str(),
    password: str(),
    rememberMe: Type.Optional(Type.Boolean()),
    accessToken: str(),
    accessTokenSecret: str(),
    returnUrl: str(),
    errorView: str(),
    meta: Type.Optional(StringMap()),
  },
);

export const AuthenticateResponse = defineDto(
  { name: 'AuthenticateResponse', ...SERVICESTACK },
  {
    userId: str(),
    sessionId: str(),
    userName: str(),
    displayName: str(),
    referrerUrl: str(),
    bearerToken: str(),
    refreshToken: str(),
    refreshTokenExpiry: str(),
    profileUrl: str(),
    roles: Type.Optional(Type.Array(Type.String())),
    permissions: Type.Optional(Type.Array(Type.String())),
    authProvider: str(),
    responseStatus: Type.Optional(ResponseStatus.schema),
    meta: Type.Optional(StringMap()),
  },
);

export type AuthenticateInput = Static<typeof Authenticate.schema>;
