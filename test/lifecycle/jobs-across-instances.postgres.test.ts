import { describe, expect, it, onTestFinished } from 'vitest';
import { ARCHIVE_BATCH, archiveRound, type JobReport } from '../../src/lifecycle/archive-job.js';
import { DAY_MS } from '../../src/lifecycle/clock.js';
import { LifecyclePolicies } from '../../src/lifecycle/lifecycle-policies.js';
import { retentionRound } from '../../src/lifecycle/retention-job.js';
import { sessionRow } from '../../src/sessions/session-row.js';
import { openStore, type Store } from '../../src/store/open-store.js';
import { session } from '../support/sessions.js';
import { freshDatabaseUrl } from '../support/test-store.js';

const NOW = new Date('2026-11-27T12:00:00Z');
const clock = () => NOW;
const OLD = new Date(NOW.getTime() - 40 * DAY_MS).toISOString();
// More than two batches per account, so instances interleave between batches.
const PER_ACCOUNT = ARCHIVE_BATCH * 2 + 137;
const ACCOUNTS = ['acct_a', 'acct_b'];

/** Three instances (pools of their own) on one database holding old, ended sessions. */
async function instances(): Promise<Store[]> {
  const url = await freshDatabaseUrl();
  const stores = await Promise.all([1, 2, 3].map(() => openStore(url)));
  onTestFinished(() => Promise.all(stores.map((s) => s.close())).then(() => undefined));
  for (const accountId of ACCOUNTS) {
    const rows = Array.from({ length: PER_ACCOUNT }, (_, i) => sessionRow(session({ id: `${accountId}_${i}`, accountId, at: OLD }), 1));
    for (let i = 0; i < rows.length; i += 250) await stores[0]!.db.insertInto('sessions').values(rows.slice(i, i + 250)).execute();
  }
  return stores;
}

const total = (reports: JobReport[]) => reports.flatMap((r) => Object.values(r.byAccount)).reduce((a, b) => a + b, 0);

describe('background jobs on many instances', () => {
  it('archive: instances running a round at once move every session once between them', async () => {
    const stores = await instances();
    const reports = await Promise.all(
      stores.map((s) => archiveRound(s.db, s.capabilities.jobLock, new LifecyclePolicies(s.db, clock), clock)),
    );
    expect(total(reports)).toBe(PER_ACCOUNT * ACCOUNTS.length);
    const left = await stores[0]!.db.selectFrom('sessions').select('id').where('archived', '=', 0).execute();
    expect(left).toEqual([]);
  });

  it('retention: instances running a round at once delete every expired session, without an error', async () => {
    const stores = await instances();
    for (const accountId of ACCOUNTS) await new LifecyclePolicies(stores[0]!.db, clock).setPolicy(accountId, { retentionDays: 30 });
    const reports = await Promise.all(
      stores.map((s) => retentionRound(s.db, s.capabilities.jobLock, new LifecyclePolicies(s.db, clock), clock)),
    );
    expect(await stores[0]!.db.selectFrom('sessions').select('id').execute()).toEqual([]);
    // Whoever was busy did nothing; the ones that ran deleted disjoint sessions.
    expect(total(reports)).toBeLessThanOrEqual(PER_ACCOUNT * ACCOUNTS.length);
    expect(reports.some((r) => !r.busy)).toBe(true);
  });
});
