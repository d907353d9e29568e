/**
 * The reads a list runs give the same answers wherever they run: on read workers with their own
 * read-only connections (SQLite files), or inline on the store's connection — and a read sees
 * every write acknowledged before it, whichever connection serves it.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { sessionReads } from '../../src/app.js';
import { ALL_HARD_CAP, pageWindow } from '../../src/sessions/list-paging.js';
import type { ListPageRequest } from '../../src/sessions/list-page.js';
import { SessionListRepository } from '../../src/sessions/list-repository.js';
import { sessionQueryOf, type ListSessionsInput } from '../../src/sessions/list-sessions.js';
import { inlineSessionReads } from '../../src/sessions/session-reads.js';
import { workerSessionReads } from '../../src/sessions/worker-session-reads.js';
import { openStore, type Store } from '../../src/store/open-store.js';
import { session, storeWhole } from '../support/sessions.js';
import { freshDatabaseUrl } from '../support/test-store.js';

const caller = { userId: 'u', roles: ['Manager' as const], accountIds: ['acct_a', 'acct_b'] };

async function seeded(): Promise<Store> {
  const store = await openStore(await freshDatabaseUrl());
  onTestFinished(() => store.close());
  await store.migrate();
  const now = '2026-11-01T00:00:00.000Z';
  await store.db.insertInto('customers').values([
    { account_id: 'acct_a', id: 'cust_root', parent_customer_id: null, name: 'Root', date_created: now, date_last_modified: now },
    { account_id: 'acct_a', id: 'cust_west', parent_customer_id: 'cust_root', name: 'West', date_created: now, date_last_modified: now },
  ]).execute();
  for (let i = 0; i < 60; i++) {
    await storeWhole(store, session({
      id: `s${String(i).padStart(3, '0')}`,
      accountId: i % 3 ? 'acct_a' : 'acct_b',
      at: new Date(Date.UTC(2026, 10, 1 + (i % 20), i % 24)).toISOString(),
      customerId: i % 4 ? 'cust_west' : 'cust_root',
      from: `+1503555${1000 + i}`,
      log: [`Call ${i}`, i % 5 ? 'Answered by Dana' : 'Gateway timeout after 30s', ...(i % 7 ? [] : ['Sent to voicemail'])],
      ended: i % 6 !== 0,
    }));
  }
  return store;
}

const request = (input: ListSessionsInput): ListPageRequest => ({
  query: sessionQueryOf(input, input.accountIds ?? caller.accountIds),
  customerIds: input.customerIds,
  sort: { field: input.sortField === 'fromAddress' ? 'fromAddress' : 'dateCreated', order: input.sortOrder ?? (input.sortField === 'fromAddress' ? 'Ascend' : 'Descend') },
  window: pageWindow(input),
  allHardCap: ALL_HARD_CAP,
});

const REQUESTS: ListSessionsInput[] = [
  {},
  { page: 1, countPerPage: 7 },
  { accountIds: ['acct_a'], log: 'gateway timeout' },
  { log: 'Answered by\nDana' },
  { log: 'voicemail', simplifiedPaging: true, countPerPage: 3 },
  { from: '5031', sortField: 'fromAddress' },
  { from: '03' },
  { customerIds: ['cust_root'], accountIds: ['acct_a'] },
  { startDate: '2026-11-03', endDate: '2026-11-09', all: true },
  { specificIds: ['s001', 's002', 's059', 'nope'] },
  { page: 99 },
];

describe('session reads', () => {
  it('answer the same on read workers as inline', async () => {
    const store = await seeded();
    const inline = inlineSessionReads(new SessionListRepository(store.db, store.capabilities.textSearch));
    // A SQLite file gets workers; PostgreSQL's reads are the inline ones, admitted.
    const workers = store.file ? workerSessionReads(store.file, 2) : undefined;
    onTestFinished(() => workers?.close());
    const offThread = workers ?? sessionReads(store).readsOf(caller);
    let found = 0;
    for (const input of REQUESTS) {
      const expected = await inline.listPage(request(input));
      if ('documents' in expected) found += expected.documents.length;
      expect(await offThread.listPage(request(input)), JSON.stringify(input)).toEqual(expected);
    }
    expect(found).toBeGreaterThan(100);
    expect(await offThread.unended(['acct_a', 'acct_b'], 5000)).toEqual(await inline.unended(['acct_a', 'acct_b'], 5000));
    expect((await inline.unended(['acct_a', 'acct_b'], 5000)).length).toBe(10);
    // `all` past the cap is answered as such, not as a truncated page.
    const capped = { ...request({ all: true }), allHardCap: 20 };
    expect(await offThread.listPage(capped)).toEqual({ tooMany: true, count: 60 });
  });

  it('see every write acknowledged before them', async () => {
    const store = await seeded();
    const workers = store.file ? workerSessionReads(store.file, 1) : undefined;
    onTestFinished(() => workers?.close());
    const reads = workers ?? inlineSessionReads(new SessionListRepository(store.db, store.capabilities.textSearch));
    for (let i = 0; i < 5; i++) {
      await storeWhole(store, session({ id: `fresh${i}`, accountId: 'acct_a', log: [`written ${i} just now`] }));
      const page = await reads.listPage(request({ accountIds: ['acct_a'], log: `written ${i} just` }));
      expect(page).toMatchObject({ totals: { totalCount: 1 } });
    }
  });
});
