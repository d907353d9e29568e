import type { FastifyReply, FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src/http/errors.js';
import type { Caller } from '../../src/http/operation.js';
import { archiveRound } from '../../src/lifecycle/archive-job.js';
import { DAY_MS } from '../../src/lifecycle/clock.js';
import { deleteSessionsOperation } from '../../src/lifecycle/delete-sessions.js';
import { LifecyclePolicies } from '../../src/lifecycle/lifecycle-policies.js';
import { retentionRound } from '../../src/lifecycle/retention-job.js';
import { startSignedInServer, type SignedInServer as TestServer } from '../support/server.js';
import { session, type SessionSpec, storeWhole } from '../support/sessions.js';

const NOW = Date.parse('2026-11-27T12:00:00Z');
const daysAgo = (days: number) => new Date(NOW - days * DAY_MS).toISOString();

/** A clock the test moves by hand. */
function testClock(start = NOW) {
  let now = start;
  const clock = () => new Date(now);
  clock.advanceDays = (days: number) => void (now += days * DAY_MS);
  return clock;
}

async function fixture(specs: SessionSpec[]) {
  const srv = await startSignedInServer();
  for (const spec of specs) {
    await storeWhole(srv.store, session(spec));
    await srv.store.db.insertInto('session_events').values({
      account_id: spec.accountId ?? 'acct_a', session_id: spec.id, dedupe_key: `${spec.id}:created`, source: 'test',
      type: 'created', occurred_at: spec.at ?? daysAgo(1), payload: '{}', ingested_at: spec.at ?? daysAgo(1),
    }).execute();
  }
  const clock = testClock();
  const policies = new LifecyclePolicies(srv.store.db, clock);
  return { srv, clock, policies, lock: srv.store.capabilities.jobLock };
}

async function listIds(srv: TestServer, query = ''): Promise<string[]> {
  const res = await srv.fetch(`${srv.url}/sessions?all=true&${query}`);
  return ((await res.json()) as { items: { id: string }[] }).items.map((i) => i.id);
}

/** The sessions that still have events in the ledger (each has its import snapshot, some more). */
const eventsOf = async (srv: TestServer) =>
  (await srv.store.db.selectFrom('session_events').select('session_id').distinct().orderBy('session_id').execute()).map((r) => r.session_id);

describe('archive', () => {
  const specs: SessionSpec[] = [
    { id: 'fresh', at: daysAgo(3), log: ['timeout fresh'] },
    { id: 'old', at: daysAgo(20), log: ['timeout old'] },
    { id: 'old_live', at: daysAgo(20), ended: false },
    { id: 'b_old', accountId: 'acct_b', at: daysAgo(20) },
  ];

  it('moves ended sessions past the live window (default 15 days) to the archive as the clock moves', async () => {
    const { srv, clock, policies, lock } = await fixture(specs);
    await policies.setPolicy('acct_b', { liveDays: 30 });
    const first = await archiveRound(srv.store.db, lock, policies, clock);
    expect(first).toEqual({ byAccount: { acct_a: 1 }, busy: false });
    expect(await listIds(srv, 'sortField=id')).toEqual(['b_old', 'fresh', 'old_live']);
    expect(await listIds(srv, 'sortField=id&searchArchive=true')).toEqual(['b_old', 'fresh', 'old', 'old_live']);
    expect(await listIds(srv, 'log=timeout')).toEqual(['fresh']);
    expect(await listIds(srv, 'log=timeout&searchArchive=true')).toEqual(['fresh', 'old']);

    clock.advanceDays(13);
    expect((await archiveRound(srv.store.db, lock, policies, clock)).byAccount).toEqual({ acct_a: 1, acct_b: 1 });
    expect(await listIds(srv)).toEqual(['old_live']);
  });

  it('still answers GET /sessions/{id} for an archived session', async () => {
    const { srv, clock, policies, lock } = await fixture(specs);
    await archiveRound(srv.store.db, lock, policies, clock);
    const res = await srv.fetch(`${srv.url}/sessions/old`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { id: string }).id).toBe('old');
  });
});

describe('retention and legal hold', () => {
  const specs: SessionSpec[] = [
    { id: 'a_new', at: daysAgo(10) },
    { id: 'a_old', at: daysAgo(40), log: ['gateway timeout'] },
    { id: 'a_held', at: daysAgo(50) },
    { id: 'b_old', accountId: 'acct_b', at: daysAgo(400) },
  ];

  it('deletes sessions older than the retention period with their events, keeping held sessions, and audits it', async () => {
    const { srv, clock, policies, lock } = await fixture(specs);
    await policies.setPolicy('acct_a', { retentionDays: 30 });
    await policies.holdSession('acct_a', 'a_held', 'u_legal', 'Case 42');
    const report = await retentionRound(srv.store.db, lock, policies, clock);
    expect(report.byAccount).toEqual({ acct_a: 1 });
    expect(await listIds(srv, 'sortField=id&searchArchive=true')).toEqual(['a_held', 'a_new', 'b_old']);
    expect(await eventsOf(srv)).toEqual(['a_held', 'a_new', 'b_old']);
    expect(await listIds(srv, 'log=gateway&searchArchive=true')).toEqual([]);
    const audits = await srv.store.db.selectFrom('deletion_audits').selectAll().execute();
    expect(audits).toMatchObject([{ account_id: 'acct_a', deleted_by: 'retention', cause: 'Retention', deleted_count: 1, held_count: 1 }]);
    const lines = await srv.store.db.selectFrom('deletion_audit_sessions').select('session_id').execute();
    expect(lines.map((l) => l.session_id)).toEqual(['a_old']);

    await policies.releaseSession('acct_a', 'a_held');
    clock.advanceDays(25);
    expect((await retentionRound(srv.store.db, lock, policies, clock)).byAccount).toEqual({ acct_a: 2 });
    expect(await listIds(srv, 'sortField=id&searchArchive=true')).toEqual(['b_old']);
  });

  it('deletes nothing of an account under legal hold', async () => {
    const { srv, clock, policies, lock } = await fixture(specs);
    await policies.setPolicy('acct_a', { retentionDays: 1, legalHold: true });
    expect((await retentionRound(srv.store.db, lock, policies, clock)).byAccount).toEqual({});
    expect(await listIds(srv, 'searchArchive=true')).toHaveLength(4);
  });

  it('deletes in batches and serves requests between them', async () => {
    const many: SessionSpec[] = Array.from({ length: 400 }, (_, i) => ({ id: `x${i}`, at: daysAgo(100) }));
    const { srv, clock, policies, lock } = await fixture([...many, { id: 'keep', at: daysAgo(1) }]);
    await policies.setPolicy('acct_a', { retentionDays: 30 });
    await srv.fetch(`${srv.url}/sessions/keep`);
    let served = 0;
    const job = retentionRound(srv.store.db, lock, policies, clock, 10).then((r) => ({ r, servedBefore: served }));
    const request = srv.fetch(`${srv.url}/sessions/keep`).then((res) => (served = res.status));
    const { r, servedBefore } = await job;
    await request;
    expect(r.byAccount).toEqual({ acct_a: many.length });
    expect(servedBefore).toBe(200);
    expect(await listIds(srv, 'searchArchive=true')).toEqual(['keep']);
  });
});

describe('DELETE /sessions', () => {
  const specs: SessionSpec[] = [
    { id: 'd1', at: '2026-11-19T23:59:59Z' },
    { id: 'd2', at: '2026-11-20T00:00:00Z' },
    { id: 'd3', at: '2026-11-20T18:30:00Z' },
    { id: 'd4', at: '2026-11-21T00:00:00Z' },
    { id: 'd_b', accountId: 'acct_b', at: '2026-11-20T12:00:00Z' },
  ];

  it('deletes the account\'s sessions in the range (both ends inclusive) with their events and answers 204', async () => {
    const { srv } = await fixture(specs);
    const res = await srv.fetch(`${srv.url}/sessions?accountId=acct_a&startDateTime=2026-11-20T00:00:00Z&endDateTime=2026-11-20`, { method: 'DELETE' });
    expect(res.status).toBe(204);
    expect(await listIds(srv, 'sortField=id')).toEqual(['d1', 'd4', 'd_b']);
    expect(await eventsOf(srv)).toEqual(['d1', 'd4', 'd_b']);
    const audit = await srv.store.db.selectFrom('deletion_audits').selectAll().executeTakeFirstOrThrow();
    expect(audit).toMatchObject({ account_id: 'acct_a', cause: 'DeleteSessions', deleted_count: 2, range_start: '2026-11-20T00:00:00.000Z', range_end: '2026-11-20T23:59:59.999Z' });
  });

  it.each([
    ['startDateTime=2026-11-20&endDateTime=2026-11-21', 'AccountId'],
    ['accountId=acct_a&endDateTime=2026-11-21', 'StartDateTime'],
    ['accountId=acct_a&startDateTime=yesterday&endDateTime=2026-11-21', 'StartDateTime'],
    ['accountId=acct_a&startDateTime=2026-11-20&endDateTime=2026-11-32', 'EndDateTime'],
    ['accountId=acct_a&startDateTime=2026-11-22&endDateTime=2026-11-21T00:00:00Z', 'EndDateTime'],
  ])('%s is a 400 naming %s and deletes nothing', async (query, field) => {
    const { srv } = await fixture(specs);
    const res = await srv.fetch(`${srv.url}/sessions?${query}`, { method: 'DELETE' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { responseStatus: { errors: { fieldName: string }[] } }).responseStatus.errors[0]!.fieldName).toBe(field);
    expect(await listIds(srv)).toHaveLength(5);
  });

  it('answers 409 for an account under legal hold and keeps held sessions otherwise', async () => {
    const { srv, policies } = await fixture(specs);
    await policies.setPolicy('acct_a', { legalHold: true });
    const range = 'startDateTime=2026-11-01&endDateTime=2026-11-30';
    const held = await srv.fetch(`${srv.url}/sessions?accountId=acct_a&${range}`, { method: 'DELETE' });
    expect(held.status).toBe(409);
    expect(await listIds(srv)).toHaveLength(5);
    await policies.setPolicy('acct_a', { legalHold: false });
    await policies.holdSession('acct_a', 'd3', 'u_legal');
    expect((await srv.fetch(`${srv.url}/sessions?accountId=acct_a&${range}`, { method: 'DELETE' })).status).toBe(204);
    expect(await listIds(srv, 'sortField=id')).toEqual(['d3', 'd_b']);
  });

  it('is for Managers and SystemAdministrators of the account, and records who deleted', async () => {
    const { srv, policies, clock } = await fixture(specs);
    const op = deleteSessionsOperation(srv.store.db, policies, clock);
    const input = { accountId: 'acct_a', startDateTime: '2026-11-01', endDateTime: '2026-11-30' };
    const as = (caller: Caller) => op.handle(input, { http: {} as FastifyRequest, reply: {} as FastifyReply, caller }).catch((e: unknown) => e as ApiError);
    expect(((await as({ userId: 'u_agent', roles: ['User'], accountIds: ['acct_a'] })) as ApiError).status).toBe(403);
    expect(((await as({ userId: 'u_mgr_b', roles: ['Manager'], accountIds: ['acct_b'] })) as ApiError).status).toBe(403);
    expect(await listIds(srv)).toHaveLength(5);
    expect(await as({ userId: 'u_mgr', roles: ['Manager'], accountIds: ['acct_a'] })).toBeUndefined();
    expect(await listIds(srv)).toEqual(['d_b']);
    const audit = await srv.store.db.selectFrom('deletion_audits').selectAll().executeTakeFirstOrThrow();
    expect(audit).toMatchObject({ deleted_by: 'u_mgr', deleted_count: 4, occurred_at: new Date(NOW).toISOString() });
  });
});
