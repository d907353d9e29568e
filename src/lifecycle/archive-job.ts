import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import { ChangeLog } from '../stream/change-log.js';
import type { JobLock } from '../store/job-lock.js';
import { daysBefore, type Clock } from './clock.js';
import type { LifecyclePolicies } from './lifecycle-policies.js';

export const ARCHIVE_BATCH = 500;

export interface JobReport {
  /** Sessions moved (archive) or deleted (retention) per account. */
  readonly byAccount: Readonly<Record<string, number>>;
  /** Another instance held the job; this round did nothing. */
  readonly busy: boolean;
}

const yieldToRequests = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * One round of the archive job: ended sessions created before their account's live window move to
 * the archive (lists skip them unless `searchArchive`; GET by id still finds them). Short
 * transactions with a yield between them, so requests are never queued behind the job. Each session
 * archived goes out on the live stream, with `"archived":true` (not for `generate`'s bulk load: `stream` false).
 */
export async function archiveRound(db: Kysely<Database>, lock: JobLock, policies: LifecyclePolicies, clock: Clock, stream = true): Promise<JobReport> {
  const now = clock();
  const changes = new ChangeLog(db);
  const byAccount: Record<string, number> = {};
  const accounts = await db.selectFrom('sessions').select('account_id').distinct().where('archived', '=', 0).execute();
  for (const { account_id: accountId } of accounts) {
    const cutoff = daysBefore(now, (await policies.policyOf(accountId)).liveDays);
    // A cursor on dateCreated: each batch starts where the last ended instead of stepping over
    // everything archived so far (quadratic at a million sessions).
    let since = '';
    for (;;) {
      const moved = await lock.runExclusive(db, 'archive', async (trx) => {
        const rows = await trx
          .selectFrom('sessions')
          .select(['id', 'date_created'])
          .where('account_id', '=', accountId)
          .where('date_created', '>=', since)
          .where('date_created', '<', cutoff)
          .where('archived', '=', 0)
          .where('ended', '=', 1)
          .orderBy('date_created')
          .limit(ARCHIVE_BATCH)
          .execute();
        if (rows.length === 0) return 0;
        const ids = rows.map((r) => r.id);
        await trx.updateTable('sessions').set({ archived: 1 }).where('account_id', '=', accountId).where('id', 'in', ids).execute();
        if (stream) await changes.append(trx, await changes.changesOf(trx, accountId, ids, 'archived'), new Date().toISOString());
        since = rows[rows.length - 1]!.date_created ?? since;
        return rows.length;
      });
      if (moved === 'busy') return { byAccount, busy: true };
      if (moved > 0) byAccount[accountId] = (byAccount[accountId] ?? 0) + moved;
      if (moved < ARCHIVE_BATCH) break;
      await yieldToRequests();
    }
  }
  return { byAccount, busy: false };
}
