import type { FastifyRequest } from 'fastify';
import { ApiError } from '../http/errors.js';
import type { Caller, Role } from '../http/operation.js';
import { textProblem } from '../directory/text-input.js';
import type { UsersRepository } from '../directory/users-repository.js';
import type { ApiKeysRepository } from './api-keys-repository.js';
import type { SignInsRepository } from './sign-ins-repository.js';
import { cookieValue, SS_PID, SS_ID, SS_OPT } from './cookies.js';
import type { PasswordSignIn } from './password-sign-in.js';
import { sha256 } from './tokens.js';

export interface AuthTimings {
  readonly now: () => Date;
  /** A sign-in without rememberMe lives this long: ServiceStack's 2 weeks. */
  readonly signInTtlMs: number;
  /** A remembered sign-in: 4 weeks. */
  readonly rememberedSignInTtlMs: number;
  /**
   * How long a resolved sign-in or API key is trusted without reading the database again.
   * Sign-out and revocation on this instance take effect at once; on other instances within this.
   */
  readonly cacheTtlMs: number;
}

export const DEFAULT_TIMINGS: AuthTimings = Object.freeze({
  now: () => new Date(),
  signInTtlMs: 14 * 24 * 3600_000,
  rememberedSignInTtlMs: 28 * 24 * 3600_000,
  cacheTtlMs: 2_000,
});

/** Why a request's credentials were refused: the short-circuited 401's `WWW-Authenticate`. */
export class AuthenticationFailed extends Error {
  constructor(readonly challenge: string) {
    super('Unauthorized');
  }
}

export const CREDENTIALS_CHALLENGE = 'credentials realm="/auth/credentials"';
export const BASIC_CHALLENGE = 'basic realm="/auth/basic"';

const MAX_CACHED = 10_000;

/**
 * Who a request comes from (servicestack-wire.md §7): `Authorization: Bearer <api key>`,
 * `Authorization: Basic` (an API key as user name with no password, or email and password), then
 * the sign-in cookies or their `X-ss-*` header twins. No credentials → undefined (anonymous);
 * credentials that do not check out → AuthenticationFailed; a throttled Basic sign-in → 429.
 */
export class Authenticator {
  private readonly cache = new Map<string, { caller: Caller; until: number }>();

  constructor(
    private readonly users: UsersRepository,
    private readonly signIns: SignInsRepository,
    private readonly apiKeys: ApiKeysRepository,
    private readonly passwords: PasswordSignIn,
    readonly timings: AuthTimings = DEFAULT_TIMINGS,
  ) {}

  async callerOf(request: FastifyRequest): Promise<Caller | undefined> {
    const authorization = request.headers.authorization;
    if (authorization !== undefined) return this.fromAuthorization(authorization, request);
    const signInId = signInIdOf(request);
    return signInId === undefined ? undefined : this.fromSignIn(signInId);
  }

  /** The Caller a user record grants: SystemAdministrators see every account. */
  static callerOfUser(userId: string, grants: { roles: readonly Role[]; accountIds: readonly string[] }): Caller {
    return {
      userId,
      roles: grants.roles,
      accountIds: grants.roles.includes('SystemAdministrator') ? 'all' : grants.accountIds,
    };
  }

  /** Forgets a cached sign-in (after sign-out) so this instance refuses it at once. */
  forget(signInId: string): void {
    this.cache.delete('s:' + signInId);
  }

  /** Forgets every cached sign-in of a user (new password, deletion). */
  forgetUser(userId: string): void {
    for (const [key, entry] of this.cache) if (entry.caller.userId === userId) this.cache.delete(key);
  }

  private async fromAuthorization(header: string, request: FastifyRequest): Promise<Caller> {
    const space = header.indexOf(' ');
    const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
    const value = space < 0 ? '' : header.slice(space + 1).trim();
    if (scheme === 'bearer' && value) return this.fromApiKey(value, CREDENTIALS_CHALLENGE);
    if (scheme !== 'basic' || !value) throw new AuthenticationFailed(CREDENTIALS_CHALLENGE);
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0 || !/^[A-Za-z0-9+/=_-]+$/.test(value)) throw new AuthenticationFailed(BASIC_CHALLENGE);
    const [name, password] = [decoded.slice(0, colon), decoded.slice(colon + 1)];
    if (password === '') return this.fromApiKey(name, BASIC_CHALLENGE);
    if (textProblem(name, 1000) || textProblem(password, 1024)) throw new AuthenticationFailed(BASIC_CHALLENGE);
    // Clients using Basic send it on every request; a recent success skips the deliberately slow
    // hash. Only successes are remembered (by a hash of the header), so guesses still pay and count.
    const caller = await this.cached('b:' + sha256(value), this.loadPasswordUser, { name, password, ip: request.ip });
    return caller!;
  }

  private readonly loadPasswordUser = async ({ name, password, ip }: { name: string; password: string; ip: string }) => {
    const user = await this.passwords.verify(name, password, ip, this.timings.now()).catch((error: unknown) => {
      if (error instanceof ApiError && error.status === 401) throw new AuthenticationFailed(BASIC_CHALLENGE);
      throw error;
    });
    return Authenticator.callerOfUser(user.id, user);
  };

  private async fromApiKey(key: string, challenge: string): Promise<Caller> {
    const caller = await this.cached('k:' + key, this.loadApiKey, key);
    if (!caller) throw new AuthenticationFailed(challenge);
    return caller;
  }

  private async fromSignIn(signInId: string): Promise<Caller | undefined> {
    return this.cached('s:' + signInId, this.loadSignIn, signInId);
  }

  // Loaders are built once, not per request: a cookie or key is checked on every call, and a
  // closure per request measurably cost the cookie path (bench auth).
  private readonly loadApiKey = async (key: string) => {
    const record = key.length <= 256 ? await this.apiKeys.findByKey(key) : undefined;
    return record && { userId: `apikey:${record.id}`, roles: record.roles, accountIds: [record.accountId], apiKeyId: record.id };
  };

  private readonly loadSignIn = async (signInId: string) => {
    const signIn = await this.signIns.find(signInId, this.timings.now());
    const grants = signIn && (await this.users.grantsOf(signIn.userId));
    return signIn && grants && { caller: Authenticator.callerOfUser(signIn.userId, grants), expiresAt: signIn.expiresAt };
  };

  private async cached<A>(
    key: string,
    load: (arg: A) => Promise<Caller | { caller: Caller; expiresAt: Date } | undefined>,
    arg: A,
  ): Promise<Caller | undefined> {
    const now = this.timings.now().getTime();
    const hit = this.cache.get(key);
    if (hit && hit.until > now) return hit.caller;
    const loaded = await load(arg);
    if (!loaded) {
      this.cache.delete(key);
      return undefined;
    }
    const [caller, expires] = 'caller' in loaded ? [loaded.caller, loaded.expiresAt.getTime()] : [loaded, Infinity];
    if (this.cache.size >= MAX_CACHED) this.cache.clear();
    this.cache.set(key, { caller, until: Math.min(now + this.timings.cacheTtlMs, expires) });
    return caller;
  }
}

/**
 * The sign-in id a request presents (ServiceStack's "session id"): `ss-pid` when `ss-opt` says
 * `perm`, else `ss-id`; the `X-ss-*` headers stand in for cookies (§1.4, §7.5). Ids longer than 64
 * characters are no ids.
 */
export function signInIdOf(request: FastifyRequest): string | undefined {
  const { headers } = request;
  const name = presented(headers, SS_OPT)?.includes('perm') ? SS_PID : SS_ID;
  const id = presented(headers, name);
  return id && id.length <= 64 ? id : undefined;
}

/** A sign-in cookie's value from its `X-ss-*` header, else the cookie. */
function presented(headers: FastifyRequest['headers'], name: string): string | undefined {
  return stringOf(headers['x-' + name]) ?? (headers.cookie ? cookieValue(headers.cookie, name) : undefined);
}

const stringOf = (value: unknown) => (typeof value === 'string' ? value : undefined);
