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

  /** The user, or 429 (throttled) / 401 "Invalid Username or Password" with a body, as §7.4 shows. */
  async verify(email: string, password: string, address: string, now: Date): Promise<UserRecord> {
    const wait = await this.throttle.retryAfter(email, address, now);
    if (wait > 0) {
      throw new ApiError('TooManyRequests', `Too many failed sign-in attempts; try again in ${wait} seconds`, [], { 'retry-after': String(wait) });
    }
    const user = await this.users.findByEmail(email);
    // The hash is checked even for unknown users, so timing does not tell which emails exist.
    const ok = await verifyPassword(password, user?.passwordHash);
    if (!user || !ok) {
      await this.throttle.recordFailure(email, address, now);
      throw new ApiError('Unauthorized', 'Invalid Username or Password');
    }
    await this.throttle.recordSuccess(email, address);
    return user;
  }
}
