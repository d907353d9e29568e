import fc from 'fast-check';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src/http/errors.js';
import type { Caller } from '../../src/http/operation.js';
import { StoredBody } from '../../src/http/stored-body.js';
import { SessionListRepository } from '../../src/sessions/list-repository.js';
import { listSessionsOperation, type ListSessionsInput } from '../../src/sessions/list-sessions.js';
import { inlineSessionReads } from '../../src/sessions/session-reads.js';
import { startTestServer } from '../support/server.js';
import { session, type SessionSpec, storeWhole } from '../support/sessions.js';

const ACCOUNTS = ['acct_a', 'acct_b', 'acct_c'];
const CUSTOMERS = ['cust_1', 'cust_2', 'cust_shared'];

/** Sessions whose every filterable field is shared across accounts, so only scoping tells them apart. */
const specs: SessionSpec[] = ACCOUNTS.flatMap((accountId, a) =>
  Array.from({ length: 8 }, (_, i) => ({
    id: `${accountId}_${i}`,
    accountId,
    at: new Date(Date.UTC(2026, 10, 20 + (i % 3), a, i)).toISOString(),
    customerId: CUSTOMERS[i % 3],
    endpointId: `ep_${i % 2}`,
    from: `+1503555${1000 + i}`,
    to: `+1800555${2000 + (i % 2)}`,
    log: [`note ${i % 2 ? 'timeout' : 'voicemail'} ${accountId}`],
  })),
);

async function fixture() {
  const srv = await startTestServer();
  for (const spec of specs) await storeWhole(srv.store, session(spec), { parentSessionId: spec.id.endsWith('_1') ? undefined : `${spec.accountId}_1` });
  const now = '2026-11-01T00:00:00.000Z';
  for (const account_id of ACCOUNTS) {
    await srv.store.db.insertInto('customers').values([
      { account_id, id: 'cust_shared', parent_customer_id: null, name: 'Shared', date_created: now, date_last_modified: now },
      { account_id, id: 'cust_1', parent_customer_id: 'cust_shared', name: 'One', date_created: now, date_last_modified: now },
    ]).execute();
  }
  const lists = new SessionListRepository(srv.store.db, srv.store.capabilities.textSearch);
  return { srv, lists };
}

const callerOf = (accountIds: Caller['accountIds']): Caller => ({ userId: 'u1', roles: ['User'], accountIds });

async function run(lists: SessionListRepository, caller: Caller | undefined, input: ListSessionsInput, allHardCap?: number) {
  const op = listSessionsOperation(() => inlineSessionReads(lists), { allHardCap });
  const result = await op.handle(input, { http: {} as FastifyRequest, reply: {} as FastifyReply, caller });
  return (result as StoredBody).value as { items: { id: string; accountId: string }[]; totalCount?: number };
}

describe('ListSessions tenant scope', () => {
  it('defaults to every account the caller may see, and to all accounts for a SystemAdministrator', async () => {
    const { lists } = await fixture();
    const mine = await run(lists, callerOf(['acct_b']), { all: true });
    expect(new Set(mine.items.map((i) => i.accountId))).toEqual(new Set(['acct_b']));
    expect(mine.totalCount).toBe(8);
    expect((await run(lists, callerOf('all'), { all: true })).totalCount).toBe(24);
    expect((await run(lists, callerOf([]), { all: true })).totalCount).toBe(0);
  });

  it('answers 403 for a foreign account, alone or beside the caller\'s own', async () => {
    const { lists } = await fixture();
    for (const accountIds of [['acct_c'], ['acct_a', 'acct_c']]) {
      const error = await run(lists, callerOf(['acct_a', 'acct_b']), { accountIds }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ApiError);
      expect((error as ApiError).status).toBe(403);
      expect((error as ApiError).message).toBe("Account 'acct_c' does not exist or is not in your accounts");
    }
  });

  it('never returns a foreign session through any combination of filters', async () => {
    const { lists } = await fixture();
    const some = <T>(values: readonly T[]) => fc.option(fc.subarray([...values], { minLength: 1 }), { nil: undefined });
    const input = fc.record(
      {
        accountIds: some(['acct_a', 'acct_b']),
        customerIds: some(CUSTOMERS),
        endpointIds: some(['ep_0', 'ep_1']),
        specificIds: some(specs.map((s) => s.id)),
        startDate: fc.constantFrom('2026-11-20', '2026-11-21'),
        from: fc.constantFrom('5551', '503', '15'),
        to: fc.constantFrom('2001', '800'),
        log: fc.constantFrom('timeout', 'acct_c', 'voicemail', 'note'),
        parentSessionId: fc.constantFrom('acct_a_1', 'acct_c_1', 'acct_b_1'),
        searchArchive: fc.boolean(),
        simplifiedPaging: fc.boolean(),
        all: fc.boolean(),
        countPerPage: fc.integer({ min: 1, max: 30 }),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(input, async (request) => {
        const page = await run(lists, callerOf(['acct_a', 'acct_b']), request);
        for (const item of page.items) expect(['acct_a', 'acct_b']).toContain(item.accountId);
        if (page.totalCount !== undefined) expect(page.totalCount).toBeLessThanOrEqual(16);
      }),
      { numRuns: 150 },
    );
  });

  it("expands a customer subtree only within the caller's accounts", async () => {
    const { lists } = await fixture();
    const page = await run(lists, callerOf(['acct_a']), { customerIds: ['cust_shared'], all: true });
    expect(page.items.map((i) => i.accountId).every((a) => a === 'acct_a')).toBe(true);
    // cust_shared and its child cust_1 (not cust_2): sessions 0,2,3,5,6 of acct_a.
    expect(page.items.map((i) => i.id).sort()).toEqual(['acct_a_0', 'acct_a_2', 'acct_a_3', 'acct_a_5', 'acct_a_6']);
  });

  it('refuses all=true past the hard cap with a 400 that says what to do, with or without totals', async () => {
    const { lists } = await fixture();
    for (const simplifiedPaging of [false, true]) {
      const error = (await run(lists, callerOf('all'), { all: true, simplifiedPaging }, 10).catch((e: unknown) => e)) as ApiError;
      expect(error.status).toBe(400);
      expect(error.fieldErrors[0]!.fieldName).toBe('All');
      expect(error.message).toContain("'All' returns at most 10");
    }
    expect((await run(lists, callerOf(['acct_a']), { all: true }, 10)).items).toHaveLength(8);
  });
});
