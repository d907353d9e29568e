import { describe, expect, it } from 'vitest';
import { sessionWriter } from '../../src/events/session-writer.js';
import { goldenSession } from '../support/fixtures.js';
import { addUser, adminCookie, signInCookie } from '../support/directory.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { ACCOUNT_ID, seedDirectory } from './support/directory-seed.js';

const json = (method: string, body: unknown) => ({ method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** A Manager of the account, signed in: commands are recorded as done by them. */
async function manager(s: TestServer) {
  const user = await addUser(s.store, 'dana@acme.test', ['Manager', 'User'], [ACCOUNT_ID]);
  const cookie = await signInCookie(s.store, user);
  const send = (path: string, init: RequestInit) => fetch(s.url + path, { ...init, headers: { ...(init.headers as Record<string, string>), cookie } });
  return { user, send };
}
const clock = () => new Date('2026-11-27T15:00:00.000Z');

describe('commands are events', () => {
  it('POST /sessions opens a chat session recorded as SessionStarted by its creator', async () => {
    const s = await startTestServer([], { events: { now: clock } });
    await seedDirectory(s.store.db);
    const { user, send } = await manager(s);
    const res = await send('/sessions', json('POST', { accountId: ACCOUNT_ID, channel: 'Chat', direction: 'Outgoing', endpointId: 'ep_main_line', toAddress: 'visitor-9' }));
    expect(res.status).toBe(200);
    const session = await res.json();
    expect(session).toMatchObject({ channel: 'Chat', direction: 'Outgoing', endpointName: 'Main line', customerName: 'West Region', lastModifiedBy: user.id, ended: false, dateCreated: '2026-11-27T15:00:00.000Z' });
    expect(session.id).toMatch(/^[0-9a-f]{24}$/);
    expect(session.log).toEqual([{ date: '2026-11-27T15:00:00.000Z', message: 'Outgoing chat to visitor-9' }]);
    const ledger = await s.store.db.selectFrom('session_events').select(['type', 'actor', 'source']).where('session_id', '=', session.id).execute();
    expect(ledger).toEqual([{ type: 'SessionStarted', actor: user.id, source: 'api' }]);
  });

  it('PATCH applies only what was sent, logs it, and keeps the row equal to the fold', async () => {
    const golden = goldenSession();
    const s = await startTestServer([golden], { events: { now: clock } });
    const { user, send } = await manager(s);
    const res = await send(`/sessions/${golden.id}`, json('PATCH', { consoleData: 'VIP caller', queueState: 'Connected' }));
    expect(res.status).toBe(200);
    const session = await res.json();
    expect(session).toMatchObject({ consoleData: 'VIP caller', queueState: 'Connected', callState: 'Hold', holdReason: 'Transferring', lastModifiedBy: user.id, dateLastModified: '2026-11-27T15:00:00.000Z' });
    expect(session.log.at(-1)).toEqual({ date: '2026-11-27T15:00:00.000Z', message: `Updated console data, queue state Connected by ${user.id}` });
    expect(session).toEqual(await sessionWriter(s.store).foldOf(golden.accountId!, golden.id!));
  });

  it('PATCH applies every call state and hold reason its schema binds, not only Hold (issue 14 item 6)', async () => {
    const golden = goldenSession();
    const s = await startTestServer([golden], { events: { now: clock } });
    const { send } = await manager(s);
    const res = await send(`/sessions/${golden.id}`, json('PATCH', { callState: 'Connected', holdReason: 'None', queueState: 'Hold' }));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ callState: 'Connected', holdReason: 'None', queueState: 'Hold' });
  });

  it('POST /sessions/{id}/log appends a line', async () => {
    const golden = goldenSession();
    const s = await startTestServer([golden], { events: { now: clock } });
    const { send } = await manager(s);
    const session = await (await send(`/sessions/${golden.id}/log`, json('POST', { message: 'Called back, no answer' }))).json();
    expect(session.log).toHaveLength(golden.log!.length + 1);
    expect(session.log.at(-1).message).toBe('Called back, no answer');
  });

  it('XML read before and after a PATCH shows the change (rendered XML is never stale)', async () => {
    const golden = goldenSession();
    const s = await startTestServer([golden], { events: { now: clock } });
    const { send } = await manager(s);
    const before = await (await send(`/sessions/${golden.id}.xml`, { method: 'GET' })).text();
    expect(before).not.toContain('VIP caller');
    expect((await send(`/sessions/${golden.id}`, json('PATCH', { consoleData: 'VIP caller' }))).status).toBe(200);
    const after = await (await send(`/sessions/${golden.id}.xml`, { method: 'GET' })).text();
    expect(after).toContain('<ConsoleData>VIP caller</ConsoleData>');
    expect(await (await send(`/sessions/${golden.id}.xml`, { method: 'GET' })).text()).toBe(after);
  });

  it('answers bad commands with ServiceStack 4xx and records nothing', async () => {
    const golden = goldenSession();
    const s = await startTestServer([golden]);
    const cookie = await adminCookie(s.store);
    const cases: [string, RequestInit, number][] = [
      [`/sessions/nope`, json('PATCH', { consoleData: 'x' }), 404],
      [`/sessions/${golden.id}`, json('PATCH', {}), 400],
      [`/sessions/${golden.id}`, json('PATCH', { callState: 'Sideways' }), 400],
      [`/sessions/${golden.id}/log`, json('POST', { message: '  ' }), 400],
      [`/sessions`, json('POST', { channel: 'Chat' }), 400],
      [`/sessions`, json('POST', { accountId: 'acct_nobody', channel: 'Chat' }), 404],
      [`/sessions/events`, json('POST', { accountId: 'acct_nobody', events: [{ id: 'a', source: 's', sessionKey: 'k', type: 'LogAppended', occurredAt: '2026-11-27T14:00:00Z', data: { message: 'hi' } }] }), 404],
    ];
    for (const [path, init, status] of cases) {
      const res = await fetch(s.url + path, { ...init, headers: { ...(init.headers as Record<string, string>), cookie } });
      expect(res.status, path).toBe(status);
      expect((await res.json()).responseStatus.errorCode).toBeTruthy();
    }
    const n = await s.store.db.selectFrom('session_events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(n.n)).toBe(1);
  });

  it('POST /sessions/events rejects a batch with one bad event, naming it, and stores none of it', async () => {
    const s = await startTestServer([]);
    await seedDirectory(s.store.db);
    const { send } = await manager(s);
    const good = { id: 'a', source: 'jambonz', sessionKey: 'call-1', type: 'SessionStarted', occurredAt: '2026-11-27T14:00:00Z', data: { channel: 'Voice' } };
    const bad = { id: 'b', source: 'jambonz', sessionKey: 'call-1', type: 'Exploded', occurredAt: 'yesterday' };
    const res = await send('/sessions/events', json('POST', { accountId: ACCOUNT_ID, events: [good, bad] }));
    expect(res.status).toBe(400);
    const { responseStatus } = await res.json();
    expect(responseStatus.errorCode).toBe('ValidationException');
    expect(responseStatus.errors.map((e: { fieldName: string }) => e.fieldName)).toEqual(['Events[1].OccurredAt', 'Events[1].Type']);
    const ok = await send('/sessions/events', json('POST', { accountId: ACCOUNT_ID, events: [good, good] }));
    expect(await ok.json()).toMatchObject({ accepted: 1, duplicates: 1 });
  });
});
