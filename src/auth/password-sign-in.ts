import { ApiError } from '../http/errors.js';
import type { UserRecord, UsersRepository } from '../directory/users-repository.js';
import { verifyPassword } from './passwords.js';
import type { SignInThrottle } from './sign-in-throttle.js';

/** Checks an email and password, throttled per (user, address) and per address. */
export class PasswordSignIn {
  constructor(
    private readonly users: UsersRepository,
    readonly throttle: SignInThrottle,
  ) {}

  /**
   * The user, or 429 (throttled) / 401 "Invalid Username or Password" with a body, as §7.4 shows.
   * The attempt is counted before the password is checked (sign-in-throttle.ts), so a refused one
   * costs no hash either.
   */
  async verify(email: string, password: string, address: string, now: Date): Promise<UserRecord> {
    const reserved = await this.throttle.reserve(email, address, now);
    if ('retryAfter' in reserved) {
      const wait = reserved.retryAfter;
      throw new ApiError('TooManyRequests', `Too many failed sign-in attempts; try again in ${wait} seconds`, [], { 'retry-after': String(wait) });
    }
    const user = await this.users.findByEmail(email);
    // The hash is checked even for unknown users, so timing does not tell which emails exist.
    const ok = await verifyPassword(password, user?.passwordHash);
    if (!user || !ok) throw new ApiError('Unauthorized', 'Invalid Username or Password');
    await this.throttle.succeeded(email, address, reserved);
    return user;
  }
}
