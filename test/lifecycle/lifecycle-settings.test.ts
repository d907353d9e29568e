import { describe, expect, it } from 'vitest';
import type { Role } from '../../src/http/operation.js';
import { DAY_MS } from '../../src/lifecycle/clock.js';
import { LifecyclePolicies } from '../../src/lifecycle/lifecycle-policies.js';
import { retentionRound } from '../../src/lifecycle/retention-job.js';
import { addAccount, addUser, signInCookie } from '../support/directory.js';
import { startTestServer } from '../support/server.js';
import { session } from '../support/sessions.js';

const daysAgo = (days: number) => new Date(Date.now() - days * DAY_MS).toISOString();

/** Two accounts' sessions, and callers signed in as each kind of person, by cookie. */
async function fixture() {
  const srv = await startTestServer([
    session({ id: 'a_recent', at: daysAgo(5) }),
    session({ id: 'a_old', at: daysAgo(40) }),
    session({ id: 'a_evidence', at: daysAgo(45) }),
    session({ id: 'b_old', accountId: 'acct_b', at: daysAgo(40) }),
  ]);
  await addAccount(srv.store, 'acct_a', 'Alpha');
  await addAccount(srv.store, 'acct_b', 'Bravo');
  const as = async (email: string, roles: Role[], accountIds: string[]) => {
    const user = await addUser(srv.store, email, roles, accountIds);
    const cookie = await signInCookie(srv.store, user);
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(srv.url + path, {
        method,
        headers: { cookie, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    };
    return Object.assign(call, { userId: user.id });
  };
  return {
    srv,
    manager: await as('mgr@a.test', ['Manager'], ['acct_a']),
    agent: await as('agent@a.test', ['User'], ['acct_a']),
    otherManager: await as('mgr@b.test', ['Manager'], ['acct_b']),
    admin: await as('root@test.local', ['SystemAdministrator'], []),
  };
}

const sessionIds = async (srv: Awaited<ReturnType<typeof fixture>>['srv']) =>
  (await srv.store.db.selectFrom('sessions').select('id').orderBy('id').execute()).map((r) => r.id);

describe('retention and legal hold, set over the API', () => {
  it("lets an account's Manager read and set its live window, retention and legal hold, audited, and retention acts on it", async () => {
    const { srv, manager } = await fixture();
    expect(await manager('GET', '/accounts/acct_a/lifecycle')).toEqual({ status: 200, body: { accountId: 'acct_a', liveDays: 15, legalHold: false } });

    const set = await manager('PATCH', '/accounts/acct_a/lifecycle', { retentionDays: 30, liveDays: 7 });
    expect(set).toEqual({ status: 200, body: { accountId: 'acct_a', liveDays: 7, retentionDays: 30, legalHold: false } });
    expect((await manager('GET', '/accounts/acct_a/lifecycle')).body).toEqual(set.body);

    // The retention job reads what was set: sessions created more than 30 days ago go.
    const policies = new LifecyclePolicies(srv.store.db, () => new Date());
    expect((await retentionRound(srv.store.db, srv.store.capabilities.jobLock, policies, () => new Date())).byAccount).toEqual({ acct_a: 2 });
    expect(await sessionIds(srv)).toEqual(['a_recent', 'b_old']);

    // 0 puts a setting back: the default live window, no retention.
    expect((await manager('PATCH', '/accounts/acct_a/lifecycle', { liveDays: 0, retentionDays: 0, legalHold: true })).body).toEqual({ accountId: 'acct_a', liveDays: 15, legalHold: true });

    const audits = await policies.auditsOf('acct_a');
    expect(audits.map(({ changed_by, change, session_id }) => ({ changed_by, change, session_id }))).toEqual([
      { changed_by: manager.userId, change: 'liveDays 7 → 15; retentionDays 30 → forever; legalHold false → true', session_id: null },
      { changed_by: manager.userId, change: 'liveDays 15 → 7; retentionDays forever → 30', session_id: null },
    ]);
    for (const audit of audits) expect(Date.now() - Date.parse(audit.occurred_at)).toBeLessThan(60_000);
  });

  it('keeps a held session through DeleteSessions, until the hold is released', async () => {
    const { srv, manager } = await fixture();
    expect((await manager('GET', '/sessions/a_evidence/hold')).body).toEqual({ sessionId: 'a_evidence', accountId: 'acct_a', held: false });
    const placed = await manager('PUT', '/sessions/a_evidence/hold', { reason: 'Case 42' });
    expect(placed.status).toBe(200);
    expect(placed.body).toMatchObject({ sessionId: 'a_evidence', accountId: 'acct_a', held: true, reason: 'Case 42', placedBy: manager.userId });
    expect((await manager('GET', '/sessions/a_evidence/hold')).body).toEqual(placed.body);

    const range = `accountId=acct_a&startDateTime=${daysAgo(60).slice(0, 10)}&endDateTime=${daysAgo(30).slice(0, 10)}`;
    expect((await manager('DELETE', `/sessions?${range}`)).status).toBe(204);
    expect(await sessionIds(srv)).toEqual(['a_evidence', 'a_recent', 'b_old']);

    expect((await manager('DELETE', '/sessions/a_evidence/hold')).body).toEqual({ sessionId: 'a_evidence', accountId: 'acct_a', held: false });
    expect((await manager('DELETE', `/sessions?${range}`)).status).toBe(204);
    expect(await sessionIds(srv)).toEqual(['a_recent', 'b_old']);

    const audits = await new LifecyclePolicies(srv.store.db, () => new Date()).auditsOf('acct_a');
    expect(audits.map(({ changed_by, change, session_id }) => ({ changed_by, change, session_id }))).toEqual([
      { changed_by: manager.userId, change: 'legal hold released', session_id: 'a_evidence' },
      { changed_by: manager.userId, change: 'legal hold placed: Case 42', session_id: 'a_evidence' },
    ]);
  });

  it("an account's legal hold, set over the API, stops DeleteSessions with a 409", async () => {
    const { srv, admin } = await fixture();
    expect((await admin('PATCH', '/accounts/acct_b/lifecycle', { legalHold: true })).body).toMatchObject({ legalHold: true });
    const res = await admin('DELETE', `/sessions?accountId=acct_b&startDateTime=${daysAgo(60).slice(0, 10)}&endDateTime=${daysAgo(1).slice(0, 10)}`);
    expect(res.status).toBe(409);
    expect(await sessionIds(srv)).toContain('b_old');
  });

  it("is for the account's Managers and SystemAdministrators; others learn nothing, and bad values are a 400", async () => {
    const { srv, agent, otherManager, admin, manager } = await fixture();
    for (const [method, path, body] of [
      ['GET', '/accounts/acct_a/lifecycle'],
      ['PATCH', '/accounts/acct_a/lifecycle', { legalHold: true }],
      ['GET', '/sessions/a_old/hold'],
      ['PUT', '/sessions/a_old/hold', {}],
      ['DELETE', '/sessions/a_old/hold'],
    ] as const) {
      expect((await agent(method, path, body)).status, `${method} ${path} as an agent`).toBe(403);
      expect((await otherManager(method, path, body)).status, `${method} ${path} as another account's Manager`).toBe(403);
    }
    // A foreign record and a missing one get the same answer; only a SystemAdministrator learns it is missing.
    expect((await manager('GET', '/accounts/acct_nope/lifecycle')).status).toBe(403);
    expect((await manager('GET', '/sessions/b_old/hold')).status).toBe(403);
    expect((await manager('GET', '/sessions/nope/hold')).status).toBe(403);
    expect((await admin('GET', '/accounts/acct_nope/lifecycle')).status).toBe(404);
    expect((await admin('PUT', '/sessions/nope/hold', {})).status).toBe(404);

    for (const body of [{ liveDays: -1 }, { retentionDays: 1.5 }, { retentionDays: 'forever' }, { legalHold: 'maybe' }]) {
      const res = await manager('PATCH', '/accounts/acct_a/lifecycle', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.responseStatus.errorCode).toBeTruthy();
    }
    expect((await manager('PUT', '/sessions/a_old/hold', { reason: 'x'.repeat(5000) })).status).toBe(400);

    // Nothing of that changed anything, nor left an audit.
    expect((await admin('GET', '/accounts/acct_a/lifecycle')).body).toEqual({ accountId: 'acct_a', liveDays: 15, legalHold: false });
    expect(await srv.store.db.selectFrom('lifecycle_audits').selectAll().execute()).toEqual([]);
    expect(await srv.store.db.selectFrom('session_legal_holds').selectAll().execute()).toEqual([]);
  });
});
