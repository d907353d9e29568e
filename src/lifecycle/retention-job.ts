import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import type { JobLock } from '../store/job-lock.js';
import type { JobReport } from './archive-job.js';
import { daysBefore, type Clock } from './clock.js';
import type { LifecyclePolicies } from './lifecycle-policies.js';
import { DELETE_BATCH, deleteSessionsInRange } from './session-deleter.js';

/**
 * One round of retention: in every account with a retention period and no legal hold, sessions
 * created before it are deleted with their events, in batches, except sessions under a legal hold.
 * Each round that deletes anything leaves an audit record by `retention`.
 */
export async function retentionRound(
  db: Kysely<Database>,
  lock: JobLock,
  policies: LifecyclePolicies,
  clock: Clock,
  batchSize = DELETE_BATCH,
): Promise<JobReport> {
  const now = clock();
  const byAccount: Record<string, number> = {};
  for (const { accountId, retentionDays } of await policies.retainedAccounts()) {
    const to = new Date(Date.parse(daysBefore(now, retentionDays)) - 1).toISOString();
    const expired = await db.selectFrom('sessions').select('id').where('account_id', '=', accountId).where('date_created', '<=', to).limit(1).executeTakeFirst();
    if (!expired) continue;
    const report = await deleteSessionsInRange(
      db,
      { accountId, to },
      { deleted_by: 'retention', cause: 'Retention', occurred_at: now.toISOString() },
      (batch) => lock.runExclusive(db, 'retention', batch),
      batchSize,
    );
    if (report === 'busy') return { byAccount, busy: true };
    if (report.deleted > 0) byAccount[accountId] = report.deleted;
  }
  return { byAccount, busy: false };
}
