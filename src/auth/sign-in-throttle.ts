import { sql, type Kysely } from 'kysely';
import type { Database } from '../store/schema.js';

export interface ThrottleRule {
  /** Failures allowed in one window before further attempts are refused. */
  readonly maxFailures: number;
  readonly windowMs: number;
}

export interface ThrottleRules {
  /** One user from one address: stops guessing one password. */
  readonly userAtAddress: ThrottleRule;
  /** One address, whatever the user: stops spraying one password over many users. */
  readonly address: ThrottleRule;
}

export const DEFAULT_THROTTLE: ThrottleRules = Object.freeze({
  userAtAddress: { maxFailures: 5, windowMs: 15 * 60_000 },
  address: { maxFailures: 50, windowMs: 15 * 60_000 },
});

/** An attempt the throttle let through: the windows it was counted in, to give back on success. */
export interface Reservation {
  readonly userWindow: string;
  readonly addressWindow: string;
}

/**
 * Counts sign-in attempts in fixed windows, in the database so every instance shares the count.
 *
 * An attempt is reserved (counted) before its password is checked, by one conditional upsert per
 * key, so parallel guesses cannot all pass the check before any is recorded: 200 parallel wrong
 * passwords for one email got 200 × 401 with check-then-record (issue 13.2); reserved first, 5 are
 * checked and 195 answered 429 without hashing. A success gives its reservation back, so only
 * failures stay counted.
 *
 * Keys are (user, address) and address, never the user alone: an attacker can only lock out
 * himself, and the victim signing in from her own address is never refused. Every block ends with
 * its window.
 */
export class SignInThrottle {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly rules: ThrottleRules = DEFAULT_THROTTLE,
  ) {}

  private userKey = (email: string, address: string) => `user:${email.toLowerCase()}|ip:${address}`;
  private addressKey = (address: string) => `ip:${address}`;

  /**
   * Counts one attempt against both keys, or refuses it: a Reservation, or the seconds until
   * another attempt is allowed. A refused attempt is not counted (a window is never prolonged).
   */
  async reserve(email: string, address: string, now: Date): Promise<Reservation | { retryAfter: number }> {
    const userKey = this.userKey(email, address);
    const user = await this.take(userKey, this.rules.userAtAddress, now);
    if (typeof user === 'number') return { retryAfter: user };
    const byAddress = await this.take(this.addressKey(address), this.rules.address, now);
    if (typeof byAddress === 'number') {
      await this.giveBack(userKey, user);
      return { retryAfter: byAddress };
    }
    return { userWindow: user, addressWindow: byAddress };
  }

  /** A successful sign-in forgets this user's failures from this address and gives the address its attempt back. */
  async succeeded(email: string, address: string, reservation: Reservation): Promise<void> {
    await this.db.deleteFrom('auth_throttle').where('key', '=', this.userKey(email, address)).execute();
    await this.giveBack(this.addressKey(address), reservation.addressWindow);
  }

  /**
   * One statement, atomic on SQLite and PostgreSQL alike: a new key or an ended window starts at 1,
   * a window under its limit counts one more, a full window is left alone (no row returned). The
   * window's start when counted; else the seconds it still runs.
   */
  private async take(key: string, rule: ThrottleRule, now: Date): Promise<string | number> {
    const start = now.toISOString();
    const ended = new Date(now.getTime() - rule.windowMs).toISOString();
    const counted = await this.db
      .insertInto('auth_throttle')
      .values({ key, failures: 1, window_start: start })
      .onConflict((conflict) =>
        conflict
          .column('key')
          .doUpdateSet({
            failures: sql<number>`CASE WHEN auth_throttle.window_start <= ${ended} THEN 1 ELSE auth_throttle.failures + 1 END`,
            window_start: sql<string>`CASE WHEN auth_throttle.window_start <= ${ended} THEN ${start} ELSE auth_throttle.window_start END`,
          })
          .where(sql<boolean>`auth_throttle.window_start <= ${ended} OR auth_throttle.failures < ${rule.maxFailures}`),
      )
      .returning('window_start')
      .executeTakeFirst();
    if (counted) return counted.window_start;
    const full = await this.db.selectFrom('auth_throttle').select('window_start').where('key', '=', key).executeTakeFirst();
    const ends = full ? Date.parse(full.window_start) + rule.windowMs : now.getTime();
    return Math.max(1, Math.ceil((ends - now.getTime()) / 1000));
  }

  /** Uncounts a reserved attempt, unless its window has since ended and another begun. */
  private async giveBack(key: string, window: string): Promise<void> {
    await this.db
      .updateTable('auth_throttle')
      .set({ failures: sql<number>`failures - 1` })
      .where('key', '=', key)
      .where('window_start', '=', window)
      .where('failures', '>', 0)
      .execute();
  }

  /** Drops windows that have ended (kept from growing; run at start). */
  async purge(now: Date): Promise<void> {
    const longest = Math.max(this.rules.userAtAddress.windowMs, this.rules.address.windowMs);
    await this.db.deleteFrom('auth_throttle').where('window_start', '<', new Date(now.getTime() - longest).toISOString()).execute();
  }
}
