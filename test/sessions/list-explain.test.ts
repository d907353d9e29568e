import type { Compilable } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_GENERATOR } from '../../src/generate/generate-sessions.js';
import { loadGenerated } from '../../src/generate/load-generated.js';
import { SessionListRepository } from '../../src/sessions/list-repository.js';
import type { SessionQuery, SessionSort } from '../../src/sessions/list-query.js';
import type { Store } from '../../src/store/open-store.js';
import { queryPlan } from '../support/query-plan.js';
import { openFileStore } from '../support/test-store.js';

const A = ['acct_0001'];
const newest: SessionSort = { field: 'dateCreated', order: 'Descend' };
const live = { searchArchive: false } as const;

/** Each list shape, and the index its rows must come from (SQLite names; PostgreSQL: any index). */
const SHAPES: [string, SessionQuery, RegExp][] = [
  ['one account, one day', { ...live, accountIds: A, createdFrom: '2026-11-20T00:00:00.000Z', createdBefore: '2026-11-21T00:00:00.000Z' }, /sessions_list_date_created/],
  ['from contains', { ...live, accountIds: A, from: '5550123' }, /VIRTUAL TABLE INDEX/],
  ['to contains', { ...live, accountIds: A, to: '8005550' }, /VIRTUAL TABLE INDEX/],
  ['log text', { ...live, accountIds: A, log: 'gateway timeout' }, /VIRTUAL TABLE INDEX/],
  ['log text and from, archive too', { searchArchive: true, accountIds: A, log: 'voicemail', from: '555' }, /VIRTUAL TABLE INDEX/],
  // Shorter than a trigram: no text index helps, so the rows the other filters leave are read in page order.
  ['short log text', { ...live, accountIds: A, log: 'ab' }, /sessions_list_(date_created|customer_id)/],
  ['short log text, one day', { ...live, accountIds: A, log: 'x', createdFrom: '2026-11-20T00:00:00.000Z', createdBefore: '2026-11-21T00:00:00.000Z' }, /sessions_list_date_created/],
  ['short log text, a customer subtree', { ...live, accountIds: A, log: '7', customerIds: ['acct_0001_c1', 'acct_0001_c1_0'] }, /sessions_list_customer_id/],
  ['customer subtree', { ...live, accountIds: A, customerIds: ['acct_0001_c1', 'acct_0001_c1_0', 'acct_0001_c1_1'] }, /sessions_list_customer_id/],
  ['endpoint', { ...live, accountIds: A, endpointIds: ['acct_0001_line_3'] }, /sessions_list_endpoint_id/],
  ['children of a session', { ...live, accountIds: A, parentSessionId: 'x' }, /sessions_list_parent_session_id/],
  ['specific ids, every account', { ...live, accountIds: 'all', specificIds: ['a', 'b'] }, /sessions_id|autoindex_sessions/],
  ['every account, newest first', { ...live, accountIds: 'all' }, /sessions_list_all_accounts/],
  ['two accounts with the archive', { searchArchive: true, accountIds: ['acct_0001', 'acct_0002'] }, /sessions_list_date_created/],
  ['not ended yet', { searchArchive: true, accountIds: A, unendedOnly: true }, /sessions_ended|sessions_unended/],
];

let store: Store;
let lists: SessionListRepository;


beforeAll(async () => {
  const opened = await openFileStore();
  store = opened.store;
  lists = new SessionListRepository(store.db, store.capabilities.textSearch);
  await loadGenerated(store, { ...DEFAULT_GENERATOR, sessions: 4000, accounts: 5, endAt: new Date('2026-11-27T00:00:00Z') });
  // Plans follow statistics, as in production (the store refreshes them; see planner statistics).
  await store.capabilities.refreshStatistics(store.db);
  return opened.close;
});

const plan = (query: Compilable) => queryPlan(store, query);

describe('EXPLAIN of every list query shape', () => {
  it('a common text, first page: walks the date index newest first, checking each session against the text index', async () => {
    for (const searchArchive of [false, true]) {
      const explained = await plan(await lists.pageQuery({ searchArchive, accountIds: A, log: 'call' }, newest, 0, 25, 3000));
      if (store.capabilities.kind === 'postgres') {
        expect(explained).not.toMatch(/Seq Scan on sessions/);
        continue;
      }
      expect(explained).toMatch(/sessions_list_date_created/);
      expect(explained).not.toMatch(/^SCAN (s|d|sessions)$/m);
    }
  });

  it.each(SHAPES)('%s: page and count come from an index, never a table scan', async (_name, query, index) => {
    for (const explained of [await plan(await lists.pageQuery(query, newest, 1000, 25)), await plan(await lists.countQuery(query))]) {
      if (store.capabilities.kind === 'postgres') {
        expect(explained).not.toMatch(/Seq Scan on sessions/);
        continue;
      }
      expect(explained).not.toMatch(/^SCAN (s|d|sessions)$/m);
      expect(explained).toMatch(index);
    }
  });
});
