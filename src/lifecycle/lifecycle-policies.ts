import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';

/** Days an ended session stays live before the archive job moves it (the hosted service's ~15). */
export const DEFAULT_LIVE_DAYS = 15;

export interface AccountPolicy {
  readonly liveDays: number;
  /** Undefined: sessions are kept forever. */
  readonly retentionDays?: number;
  readonly legalHold: boolean;
}

export interface PolicyChange {
  readonly liveDays?: number | null;
  readonly retentionDays?: number | null;
  readonly legalHold?: boolean;
}

/** Per-account archive and retention settings, and legal holds on accounts and sessions. */
export class LifecyclePolicies {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: () => Date,
  ) {}

  async policyOf(accountId: string): Promise<AccountPolicy> {
    const row = await this.db.selectFrom('account_policies').selectAll().where('account_id', '=', accountId).executeTakeFirst();
    return {
      liveDays: row?.live_days ?? DEFAULT_LIVE_DAYS,
      retentionDays: row?.retention_days ?? undefined,
      legalHold: row?.legal_hold === 1,
    };
  }

  /** Changes the given settings of an account, leaving the others as they are. */
  async setPolicy(accountId: string, change: PolicyChange): Promise<void> {
    for (const [name, days] of [['liveDays', change.liveDays], ['retentionDays', change.retentionDays]] as const) {
      if (days !== undefined && days !== null && (!Number.isInteger(days) || days < 1)) throw new RangeError(`${name} must be a whole number of days ≥ 1`);
    }
    const current = await this.db.selectFrom('account_policies').selectAll().where('account_id', '=', accountId).executeTakeFirst();
    const row = {
      account_id: accountId,
      live_days: change.liveDays === undefined ? (current?.live_days ?? null) : change.liveDays,
      retention_days: change.retentionDays === undefined ? (current?.retention_days ?? null) : change.retentionDays,
      legal_hold: change.legalHold === undefined ? (current?.legal_hold ?? 0) : change.legalHold ? 1 : 0,
      date_last_modified: this.clock().toISOString(),
    };
    await this.db
      .insertInto('account_policies')
      .values(row)
      .onConflict((oc) => oc.column('account_id').doUpdateSet({ live_days: row.live_days, retention_days: row.retention_days, legal_hold: row.legal_hold, date_last_modified: row.date_last_modified }))
      .execute();
  }

  /** Accounts whose sessions expire, with their retention; none under a legal hold. */
  async retainedAccounts(): Promise<{ accountId: string; retentionDays: number }[]> {
    const rows = await this.db
      .selectFrom('account_policies')
      .select(['account_id', 'retention_days'])
      .where('retention_days', 'is not', null)
      .where('legal_hold', '=', 0)
      .execute();
    return rows.map((r) => ({ accountId: r.account_id, retentionDays: r.retention_days! }));
  }

  async holdSession(accountId: string, sessionId: string, placedBy: string, reason?: string): Promise<void> {
    await this.db
      .insertInto('session_legal_holds')
      .values({ account_id: accountId, session_id: sessionId, placed_by: placedBy, reason: reason ?? null, placed_at: this.clock().toISOString() })
      .onConflict((oc) => oc.columns(['account_id', 'session_id']).doNothing())
      .execute();
  }

  async releaseSession(accountId: string, sessionId: string): Promise<void> {
    await this.db.deleteFrom('session_legal_holds').where('account_id', '=', accountId).where('session_id', '=', sessionId).execute();
  }
}
