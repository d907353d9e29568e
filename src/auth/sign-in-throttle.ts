import type { Kysely } from 'kysely';
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

/**
 * Counts failed sign-ins in fixed windows, in the database so every instance shares the count.
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

  private keys(email: string, address: string): [string, ThrottleRule][] {
    return [
      [`user:${email.toLowerCase()}|ip:${address}`, this.rules.userAtAddress],
      [`ip:${address}`, this.rules.address],
    ];
  }

  /** Seconds until another attempt is allowed; 0 when it is allowed now. */
  async retryAfter(email: string, address: string, now: Date): Promise<number> {
    const keys = this.keys(email, address);
    const rows = await this.db.selectFrom('auth_throttle').selectAll().where('key', 'in', keys.map(([k]) => k)).execute();
    let wait = 0;
    for (const [key, rule] of keys) {
      const row = rows.find((r) => r.key === key);
      if (!row || row.failures < rule.maxFailures) continue;
      const ends = Date.parse(row.window_start) + rule.windowMs;
      if (ends > now.getTime()) wait = Math.max(wait, Math.ceil((ends - now.getTime()) / 1000));
    }
    return wait;
  }

  async recordFailure(email: string, address: string, now: Date): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      for (const [key, rule] of this.keys(email, address)) {
        const row = await trx.selectFrom('auth_throttle').selectAll().where('key', '=', key).executeTakeFirst();
        if (!row) {
          await trx.insertInto('auth_throttle').values({ key, failures: 1, window_start: now.toISOString() }).execute();
        } else if (Date.parse(row.window_start) + rule.windowMs <= now.getTime()) {
          await trx.updateTable('auth_throttle').set({ failures: 1, window_start: now.toISOString() }).where('key', '=', key).execute();
        } else {
          await trx.updateTable('auth_throttle').set({ failures: row.failures + 1 }).where('key', '=', key).execute();
        }
      }
    });
  }

  /** A successful sign-in forgets this user's failures from this address. */
  async recordSuccess(email: string, address: string): Promise<void> {
    await this.db.deleteFrom('auth_throttle').where('key', '=', this.keys(email, address)[0]![0]).execute();
  }

  /** Drops windows that have ended (kept from growing; run at start). */
  async purge(now: Date): Promise<void> {
    const longest = Math.max(this.rules.userAtAddress.windowMs, this.rules.address.windowMs);
    await this.db.deleteFrom('auth_throttle').where('window_start', '<', new Date(now.getTime() - longest).toISOString()).execute();
  }
}
