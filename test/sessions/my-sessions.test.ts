import type { FastifyReply, FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src/http/errors.js';
import type { Caller } from '../../src/http/operation.js';
import type { StoredBody } from '../../src/http/stored-body.js';
import { SessionListRepository } from '../../src/sessions/list-repository.js';
import { getActiveSessionsOperation, getMySessionsOperation } from '../../src/sessions/my-sessions.js';
import { inlineSessionReads } from '../../src/sessions/session-reads.js';
import { startSignedInServer } from '../support/server.js';
import { session, storeWhole } from '../support/sessions.js';

const now = '2026-11-01T00:00:00.000Z';
const dana: Caller = { userId: 'u_dana', roles: ['User'], accountIds: ['acct_a'] };
const lee: Caller = { userId: 'u_lee', roles: ['User'], accountIds: ['acct_a'] };
const member = (endpointId: string | undefined, identity: string) => ({ identity, endpointId, displayName: identity, isOriginalMember: false, applicationData: {}, callState: 'Connected' as const, role: 'Agent' as const, muted: false });

async function fixture() {
  const srv = await startSignedInServer();
  const user = (id: string, email: string) => ({ id, email, roles: '["User"]', date_created: now, date_last_modified: now });
  await srv.store.db.insertInto('users').values([user('u_dana', 'Dana@Example.com'), user('u_lee', 'lee@example.com')]).execute();
  const endpoint = (account_id: string, id: string, email: string, identity: string) => ({
    account_id, id, type: 'User', display_name: id, email, identity, date_created: now, date_last_modified: now,
  });
  await srv.store.db.insertInto('endpoints').values([
    endpoint('acct_a', 'ep_dana', 'dana@example.com', 'client:dana'),
    // Dana is also an agent of acct_b, which her caller may not see.
    endpoint('acct_b', 'ep_dana_b', 'dana@example.com', 'client:dana_b'),
  ]).execute();
  const seed = [
    session({ id: 'answered', ended: false, answeredById: 'ep_dana' }),
    session({ id: 'queued', ended: false, queueMemberId: 'ep_dana', at: '2026-11-20T11:00:00Z' }),
    session({ id: 'member', ended: false, members: [member(undefined, 'client:dana')], at: '2026-11-20T12:00:00Z' }),
    session({ id: 'ended', ended: true, answeredById: 'ep_dana' }),
    session({ id: 'others', ended: false, answeredById: 'ep_sam' }),
    session({ id: 'other_account', accountId: 'acct_b', ended: false, answeredById: 'ep_dana_b' }),
  ];
  for (const s of seed) await storeWhole(srv.store, s);
  const reads = inlineSessionReads(new SessionListRepository(srv.store.db, srv.store.capabilities.textSearch));
  return { srv, lists: () => reads };
}

const ids = (result: unknown) => ((result as StoredBody).value.sessions as { id: string }[]).map((s) => s.id);
const context = (caller?: Caller) => ({ http: {} as FastifyRequest, reply: {} as FastifyReply, caller });

describe('GET /sessions/my and /sessions/active', () => {
  it("lists the caller's unended sessions as answerer, queue member or member, newest first", async () => {
    const { srv, lists } = await fixture();
    for (const op of [getMySessionsOperation(srv.store.db, lists), getActiveSessionsOperation(srv.store.db, lists)]) {
      expect(ids(await op.handle({}, context(dana)))).toEqual(['member', 'queued', 'answered']);
    }
  });

  it('/sessions/my is empty for a user who is no agent; /sessions/active refuses them with 403', async () => {
    const { srv, lists } = await fixture();
    expect(ids(await getMySessionsOperation(srv.store.db, lists).handle({}, context(lee)))).toEqual([]);
    const error = (await getActiveSessionsOperation(srv.store.db, lists).handle({}, context(lee)).catch((e: unknown) => e)) as ApiError;
    expect(error.status).toBe(403);
  });

  it('answers 401 over HTTP while nobody is signed in, and never mistakes "my" for a session id', async () => {
    const { srv } = await fixture();
    for (const path of ['/sessions/my', '/sessions/active']) {
      const res = await fetch(srv.url + path);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBeTruthy();
      const signedIn = await srv.fetch(srv.url + path);
      expect(signedIn.status, `${path} is its own route, not GET /sessions/{id}`).not.toBe(404);
    }
  });
});
