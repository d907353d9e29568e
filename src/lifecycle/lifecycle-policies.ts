import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Database, LifecycleAuditsTable } from '../store/schema.js';

/** Days an ended session stays live before the archive job moves it (the hosted service's ~15). */
export const DEFAULT_LIVE_DAYS = 15;

export interface AccountPolicy {
  readonly liveDays: number;
  /** Undefined: sessions are kept forever. */
  readonly retentionDays?: number;
  readonly legalHold: boolean;
}

export interface PolicyChange {
  /** null: back to the default. */
  readonly liveDays?: number | null;
  /** null: kept forever. */
  readonly retentionDays?: number | null;
  readonly legalHold?: boolean;
}

export interface SessionHold {
  readonly placedBy: string;
  readonly reason?: string;
  readonly placedAt: string;
}

export type LifecycleAudit = Selectable<LifecycleAuditsTable>;

/** Who changes a setting: a user or API key id, `cli` for the command line, `system` for code. */
export type ChangedBy = string;

const days = (value: number | undefined, none: string) => (value === undefined ? none : String(value));

/**
 * Per-account archive and retention settings, and legal holds on accounts and sessions. Every change
 * is audited (who, what, when) in the transaction that makes it, as deletions are: these settings
 * decide what gets deleted.
 */
export class LifecyclePolicies {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: () => Date,
  ) {}

  async policyOf(accountId: string, db: Kysely<Database> | Transaction<Database> = this.db): Promise<AccountPolicy> {
    const row = await db.selectFrom('account_policies').selectAll().where('account_id', '=', accountId).executeTakeFirst();
    return {
      liveDays: row?.live_days ?? DEFAULT_LIVE_DAYS,
      retentionDays: row?.retention_days ?? undefined,
      legalHold: row?.legal_hold === 1,
    };
  }

  /**
   * Changes the given settings of an account, leaving the others as they are, and audits what
   * changed. Returns the policy as it now stands. A RangeError names a setting that is not a whole
   * number of days ≥ 1.
   */
  async setPolicy(accountId: string, change: PolicyChange, changedBy: ChangedBy = 'system'): Promise<AccountPolicy> {
    for (const [name, value] of [['liveDays', change.liveDays], ['retentionDays', change.retentionDays]] as const) {
      if (value !== undefined && value !== null && (!Number.isInteger(value) || value < 1)) throw new RangeError(`${name} must be a whole number of days ≥ 1`);
    }
    return this.db.transaction().execute(async (trx) => {
      const current = await trx.selectFrom('account_policies').selectAll().where('account_id', '=', accountId).executeTakeFirst();
      const before = await this.policyOf(accountId, trx);
      const now = this.clock().toISOString();
      const row = {
        account_id: accountId,
        live_days: change.liveDays === undefined ? (current?.live_days ?? null) : change.liveDays,
        retention_days: change.retentionDays === undefined ? (current?.retention_days ?? null) : change.retentionDays,
        legal_hold: change.legalHold === undefined ? (current?.legal_hold ?? 0) : change.legalHold ? 1 : 0,
        date_last_modified: now,
      };
      await trx
        .insertInto('account_policies')
        .values(row)
        .onConflict((oc) => oc.column('account_id').doUpdateSet({ live_days: row.live_days, retention_days: row.retention_days, legal_hold: row.legal_hold, date_last_modified: row.date_last_modified }))
        .execute();
      const after = await this.policyOf(accountId, trx);
      const changes = [
        before.liveDays !== after.liveDays && `liveDays ${before.liveDays} → ${after.liveDays}`,
        before.retentionDays !== after.retentionDays && `retentionDays ${days(before.retentionDays, 'forever')} → ${days(after.retentionDays, 'forever')}`,
        before.legalHold !== after.legalHold && `legalHold ${before.legalHold} → ${after.legalHold}`,
      ].filter((c): c is string => typeof c === 'string');
      if (changes.length) await this.audit(trx, accountId, null, changedBy, changes.join('; '), now);
      return after;
    });
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

  /** The legal hold on a session, if there is one. */
  async holdOf(accountId: string, sessionId: string): Promise<SessionHold | undefined> {
    const row = await this.db.selectFrom('session_legal_holds').selectAll().where('account_id', '=', accountId).where('session_id', '=', sessionId).executeTakeFirst();
    return row && { placedBy: row.placed_by, placedAt: row.placed_at, ...(row.reason === null ? {} : { reason: row.reason }) };
  }

  /** Places a legal hold on a session (a hold already there keeps who placed it and when; a new reason replaces the old), audited. */
  async holdSession(accountId: string, sessionId: string, placedBy: ChangedBy, reason?: string): Promise<SessionHold> {
    await this.db.transaction().execute(async (trx) => {
      const now = this.clock().toISOString();
      const existing = await trx.selectFrom('session_legal_holds').select('reason').where('account_id', '=', accountId).where('session_id', '=', sessionId).executeTakeFirst();
      if (!existing) {
        await trx.insertInto('session_legal_holds').values({ account_id: accountId, session_id: sessionId, placed_by: placedBy, reason: reason ?? null, placed_at: now }).execute();
        await this.audit(trx, accountId, sessionId, placedBy, `legal hold placed${reason ? `: ${reason}` : ''}`, now);
      } else if (reason !== undefined && reason !== existing.reason) {
        await trx.updateTable('session_legal_holds').set({ reason }).where('account_id', '=', accountId).where('session_id', '=', sessionId).execute();
        await this.audit(trx, accountId, sessionId, placedBy, `legal hold reason: ${reason}`, now);
      }
    });
    return (await this.holdOf(accountId, sessionId))!;
  }

  /** Releases a session's legal hold, audited; false when there was none. */
  async releaseSession(accountId: string, sessionId: string, releasedBy: ChangedBy = 'system'): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const { numDeletedRows } = await trx.deleteFrom('session_legal_holds').where('account_id', '=', accountId).where('session_id', '=', sessionId).executeTakeFirst();
      if (Number(numDeletedRows) === 0) return false;
      await this.audit(trx, accountId, sessionId, releasedBy, 'legal hold released', this.clock().toISOString());
      return true;
    });
  }

  /** An account's lifecycle changes, newest first. */
  async auditsOf(accountId: string, limit = 100): Promise<LifecycleAudit[]> {
    return this.db.selectFrom('lifecycle_audits').selectAll().where('account_id', '=', accountId).orderBy('seq', 'desc').limit(limit).execute();
  }

  private async audit(trx: Transaction<Database>, accountId: string, sessionId: string | null, changedBy: ChangedBy, change: string, at: string) {
    await trx.insertInto('lifecycle_audits').values({ account_id: accountId, session_id: sessionId, changed_by: changedBy, change, occurred_at: at }).execute();
  }
}
