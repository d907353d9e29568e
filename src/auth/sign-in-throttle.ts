import { sql, type CompiledQuery, type Kysely } from 'kysely';
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
  private readonly statements: ThrottleStatements;

  constructor(
    db: Kysely<Database>,
    private readonly rules: ThrottleRules = DEFAULT_THROTTLE,
  ) {
    this.statements = new ThrottleStatements(db);
  }

  private userKey = (email: string, address: string) => `user:${email.toLowerCase()}|ip:${address}`;
  private addressKey = (address: string) => `ip:${address}`;

  /**
   * Counts one attempt against both keys, or refuses it: a Reservation, or the seconds until
   * another attempt is allowed. A refused attempt is not counted (a window is never prolonged).
   */
  async reserve(email: string, address: string, now: Date): Promise<Reservation | { retryAfter: number }> {
    const keys: [string, ThrottleRule][] = [
      [this.userKey(email, address), this.rules.userAtAddress],
      [this.addressKey(address), this.rules.address],
    ];
    // A window that is full stays full until it ends, so a read that sees one may refuse on its
    // own: a flood's guesses, once blocked, cost one read (no write lock) instead of an upsert.
    const rows = await this.statements.read(keys.map(([key]) => key));
    const wait = Math.max(0, ...keys.map(([key, rule]) => waitFor(rows.find((row) => row.key === key), rule, now)));
    if (wait > 0) return { retryAfter: wait };
    const [[userKey, userRule], [addressKey, addressRule]] = keys as [[string, ThrottleRule], [string, ThrottleRule]];
    const user = await this.take(userKey, userRule, now);
    if (typeof user === 'number') return { retryAfter: user };
    const byAddress = await this.take(addressKey, addressRule, now);
    if (typeof byAddress === 'number') {
      await this.statements.giveBack(userKey, user);
      return { retryAfter: byAddress };
    }
    return { userWindow: user, addressWindow: byAddress };
  }

  /** A successful sign-in forgets this user's failures from this address and gives the address its attempt back. */
  async succeeded(email: string, address: string, reservation: Reservation): Promise<void> {
    await this.statements.forget(this.userKey(email, address));
    await this.statements.giveBack(this.addressKey(address), reservation.addressWindow);
  }

  /** The window's start when the attempt was counted; else the seconds the full window still runs. */
  private async take(key: string, rule: ThrottleRule, now: Date): Promise<string | number> {
    const ended = new Date(now.getTime() - rule.windowMs).toISOString();
    const counted = await this.statements.take(key, now.toISOString(), ended, rule.maxFailures);
    if (counted !== undefined) return counted;
    return Math.max(1, waitFor((await this.statements.read([key]))[0], rule, now));
  }

  /** Drops windows that have ended (kept from growing; run at start). */
  async purge(now: Date): Promise<void> {
    const longest = Math.max(this.rules.userAtAddress.windowMs, this.rules.address.windowMs);
    await this.statements.purge(new Date(now.getTime() - longest).toISOString());
  }
}

/** Seconds until a key's window lets another attempt through; 0 when it does now. */
function waitFor(row: ThrottleRow | undefined, rule: ThrottleRule, now: Date): number {
  if (!row || row.failures < rule.maxFailures) return 0;
  const ends = Date.parse(row.window_start) + rule.windowMs;
  return ends > now.getTime() ? Math.ceil((ends - now.getTime()) / 1000) : 0;
}

interface ThrottleRow {
  readonly key: string;
  readonly failures: number;
  readonly window_start: string;
}

/** Parameters by name: each compiled query's placeholders are these sentinels, in whatever order its SQL needs them. */
const KEY = '\u0000key';
const KEY2 = '\u0000key2';
const START = '\u0000start';
const ENDED = '\u0000ended';
const MAX = '\u0000max';

/**
 * The throttle's queries, built and compiled once per store; a call binds its values. A flood of
 * sign-ins runs them on every request, and building a Kysely query costs about as much as SQLite
 * running it (ingest-statements.ts measured the same).
 */
class ThrottleStatements {
  private readonly upsert: CompiledQuery<{ window_start: string }>;
  private readonly readOne: CompiledQuery<ThrottleRow>;
  private readonly readTwo: CompiledQuery<ThrottleRow>;
  private readonly uncount: CompiledQuery;
  private readonly remove: CompiledQuery;
  private readonly removeEnded: CompiledQuery;

  constructor(private readonly db: Kysely<Database>) {
    // One statement, atomic on SQLite and PostgreSQL alike: a new key or an ended window starts
    // at 1, a window under its limit counts one more, a full window is left alone (no row returned).
    this.upsert = db
      .insertInto('auth_throttle')
      .values({ key: KEY, failures: 1, window_start: START })
      .onConflict((conflict) =>
        conflict
          .column('key')
          .doUpdateSet({
            failures: sql<number>`CASE WHEN auth_throttle.window_start <= ${ENDED} THEN 1 ELSE auth_throttle.failures + 1 END`,
            window_start: sql<string>`CASE WHEN auth_throttle.window_start <= ${ENDED} THEN ${START} ELSE auth_throttle.window_start END`,
          })
          .where(sql<boolean>`auth_throttle.window_start <= ${ENDED} OR auth_throttle.failures < ${MAX}`),
      )
      .returning('window_start')
      .compile();
    const select = db.selectFrom('auth_throttle').select(['key', 'failures', 'window_start']);
    this.readOne = select.where('key', '=', KEY).compile();
    this.readTwo = select.where('key', 'in', [KEY, KEY2]).compile();
    // Unless its window has since ended and another begun.
    this.uncount = db
      .updateTable('auth_throttle')
      .set({ failures: sql<number>`failures - 1` })
      .where('key', '=', KEY)
      .where('window_start', '=', START)
      .where('failures', '>', 0)
      .compile();
    this.remove = db.deleteFrom('auth_throttle').where('key', '=', KEY).compile();
    this.removeEnded = db.deleteFrom('auth_throttle').where('window_start', '<', ENDED).compile();
  }

  private run<R>(query: CompiledQuery<R>, values: Readonly<Record<string, unknown>>) {
    return this.db.executeQuery<R>({ ...query, parameters: query.parameters.map((p) => (typeof p === 'string' && p in values ? values[p] : p)) });
  }

  async take(key: string, start: string, ended: string, max: number): Promise<string | undefined> {
    return (await this.run(this.upsert, { [KEY]: key, [START]: start, [ENDED]: ended, [MAX]: max })).rows[0]?.window_start;
  }

  async read(keys: readonly string[]): Promise<readonly ThrottleRow[]> {
    const [first, second] = keys;
    return second === undefined
      ? (await this.run(this.readOne, { [KEY]: first })).rows
      : (await this.run(this.readTwo, { [KEY]: first, [KEY2]: second })).rows;
  }

  async giveBack(key: string, window: string): Promise<void> {
    await this.run(this.uncount, { [KEY]: key, [START]: window });
  }

  async forget(key: string): Promise<void> {
    await this.run(this.remove, { [KEY]: key });
  }

  async purge(endedBefore: string): Promise<void> {
    await this.run(this.removeEnded, { [ENDED]: endedBefore });
  }
}
