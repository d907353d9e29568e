import { ApiError, validationError } from '../http/errors.js';
import type { Operation, OperationContext } from '../http/operation.js';
import type { UserRecord, UsersRepository } from '../directory/users-repository.js';
import { assertTextInput } from '../directory/text-input.js';
import { nameOf } from '../directory/user-info.js';
import type { SignInsRepository } from './sign-ins-repository.js';
import { Authenticate, AuthenticateResponse, type AuthenticateInput } from './authenticate-dtos.js';
import { signInIdOf, type Authenticator } from './authenticator.js';
import { expiredCookieHeaders, signInCookieHeaders } from './cookies.js';
import type { PasswordSignIn } from './password-sign-in.js';
import { newSignInId } from './tokens.js';

export interface AuthenticateDeps {
  readonly users: UsersRepository;
  readonly signIns: SignInsRepository;
  readonly passwords: PasswordSignIn;
  readonly authenticator: Authenticator;
  /** Switchboard's public base URL; when it is https, every cookie is Secure. */
  readonly publicUrl?: string;
}

/**
 * `/auth`, `/auth/{provider}` (servicestack-wire.md §7.1–7.6): `credentials` (alias `login`) signs
 * in with new sign-in ids (no fixation) and sets ss-id/ss-pid/ss-opt; `logout` ends the sign-in and
 * deletes the cookies; no provider answers who is signed in.
 */
export function authenticateOperation(deps: AuthenticateDeps): Operation<typeof Authenticate> {
  return {
    request: Authenticate,
    response: AuthenticateResponse,
    routes: [
      { path: '/auth', verbs: ['GET', 'POST'] },
      { path: '/auth/{provider}', verbs: ['GET', 'POST'] },
    ],
    access: { anonymous: true },
    description: 'Sign in, see who is signed in, or sign out',
    async handle(input, context) {
      const provider = (input.provider ?? '').toLowerCase();
      switch (provider) {
        case 'credentials':
        case 'login':
          // A password in a URL ends up in logs and browser history; ServiceStack refuses it too.
          if (context.http.method === 'GET') throw new ApiError('MethodNotAllowed', 'Credentials must be sent with POST');
          return signIn(deps, input, context);
        case 'logout':
          return signOut(deps, context);
        case '': {
          const user = context.caller && !context.caller.apiKeyId ? await deps.users.findById(context.caller.userId) : undefined;
          if (!user) throw new ApiError('Unauthorized', 'Not Authenticated');
          return responseOf(user, signInIdOf(context.http), 'credentials', context);
        }
        default:
          throw new ApiError('NotFound', `No configuration was added for OAuth provider '${input.provider}'`);
      }
    },
  };
}

async function signIn(deps: AuthenticateDeps, input: AuthenticateInput, context: OperationContext) {
  if (!input.userName?.trim()) throw validationError('UserName', 'NotEmpty', "'User Name' must not be empty.");
  if (!input.password) throw validationError('Password', 'NotEmpty', "'Password' must not be empty.");
  assertTextInput({ userName: input.userName, password: input.password });
  const now = deps.authenticator.timings.now();
  const user = await deps.passwords.verify(input.userName, input.password, context.http.ip, now);

  const previous = signInIdOf(context.http);
  if (previous) await forget(deps, previous);
  const permanent = input.rememberMe === true;
  const ids = { temporaryId: newSignInId(), permanentId: newSignInId(), permanent };
  const key = permanent ? ids.permanentId : ids.temporaryId;
  const ttl = permanent ? deps.authenticator.timings.rememberedSignInTtlMs : deps.authenticator.timings.signInTtlMs;
  await deps.signIns.create(key, { userId: user.id, provider: 'credentials', permanent, expiresAt: new Date(now.getTime() + ttl) }, now);
  context.reply.header('set-cookie', signInCookieHeaders(ids, secureCookies(deps, context), now));
  return responseOf(user, key, 'credentials', context, input.returnUrl);
}

async function signOut(deps: AuthenticateDeps, context: OperationContext) {
  const id = signInIdOf(context.http);
  if (id) await forget(deps, id);
  context.reply.header('set-cookie', expiredCookieHeaders(secureCookies(deps, context), deps.authenticator.timings.now()));
  return {};
}

/**
 * Secure whenever the browser talks https: TLS here, `X-Forwarded-Proto: https` from a trusted
 * proxy (Fastify's `protocol` believes it only then), or an https public URL (a proxy that says
 * nothing).
 */
const secureCookies = (deps: AuthenticateDeps, context: OperationContext) =>
  context.http.protocol === 'https' || deps.publicUrl?.startsWith('https:') === true;

async function forget(deps: AuthenticateDeps, id: string) {
  deps.authenticator.forget(id);
  await deps.signIns.delete(id);
}

/** `sessionId` is ServiceStack's name on the wire for the sign-in id. */
function responseOf(user: UserRecord, signInId: string | undefined, provider: string, context: OperationContext, returnUrl?: string) {
  const referrer = returnUrl ?? context.http.headers.referer;
  return {
    userId: user.id,
    ...(signInId ? { sessionId: signInId } : {}),
    userName: user.email,
    displayName: nameOf(user),
    ...(referrer ? { referrerUrl: referrer } : {}),
    roles: [...user.roles],
    permissions: [],
    authProvider: provider,
  };
}
