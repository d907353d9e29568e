/**
 * What goes wrong between Switchboard and Twilio (call-control-and-messaging.md §6, items 3-7):
 * callbacks out of order, twice or never; every error of the mapping, asserting whether a request
 * reached Twilio; commands that ask for what already holds; a hold racing a hang-up.
 */
import { describe, expect, it } from 'vitest';
import { FAULTS, deadUrl } from '../support/twilio-fake.js';
import { CALLER_NUMBER, eventually, liveConferenceCall, startHarness, type Harness } from './support/control-harness.js';

const member = (session: { members?: { callSid?: string; callState?: string; muted?: boolean }[] }, callSid: string) => session.members?.find((m) => m.callSid === callSid);
const messages = (session: { log?: { message?: string }[] }) => (session.log ?? []).map((l) => l.message);
const ledgerSize = async (h: Harness) => Number((await h.store.db.selectFrom('session_events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

describe('callbacks out of order, duplicated, lost', () => {
  it('folds hold then unhold to the same session whatever order they arrive in, and duplicates change nothing', async () => {
    const h = await startHarness();
    const live = await liveConferenceCall(h);
    h.fake.holdCallbacks = true;
    expect((await h.call('POST', `/sessions/${live.sessionId}/hold`, {})).status).toBe(200);
    expect((await h.call('PATCH', `/sessions/${live.sessionId}/conference/members/${live.callerSid}`, { hold: false })).status).toBe(200);
    const callbacks = h.fake.pending.splice(0);
    expect(callbacks.map((c) => c.params.StatusCallbackEvent)).toEqual(['participant-hold', 'participant-unhold']);
    // Unhold first, then everything again: Twilio retries and reorders.
    for (const callback of [...callbacks].reverse()) expect(await h.fake.deliver(callback)).toBe(204);
    const size = await ledgerSize(h);
    for (const callback of [...callbacks, ...callbacks]) expect(await h.fake.deliver(callback)).toBe(204);
    expect(await ledgerSize(h)).toBe(size);
    const after = await h.session(live.sessionId);
    expect(after).toMatchObject({ callState: 'Connected', holdReason: 'None' });
    expect(member(after, live.callerSid)?.callState).toBe('Connected');
    expect(after.heldByUserId).toBeUndefined();
    const log = messages(after);
    expect(log.indexOf(`${CALLER_NUMBER} placed on hold by Dana Agent`)).toBeLessThan(log.indexOf(`${CALLER_NUMBER} taken off hold by Dana Agent`));
  });

  it('heals a lost callback: after the deadline Switchboard asks Twilio for the participant and records what it says', async () => {
    const h = await startHarness({ reconcileAfterMs: 150 });
    const live = await liveConferenceCall(h);
    h.fake.holdCallbacks = true;
    expect((await h.call('POST', `/sessions/${live.sessionId}/hold`, {})).status).toBe(200);
    h.fake.pending.splice(0); // participant-hold never arrives
    const healed = await eventually(h, live.sessionId, (s) => s.callState === 'Hold');
    expect(healed).toMatchObject({ callState: 'Hold', heldByUserId: h.danaId });
    expect(messages(healed)).toEqual(expect.arrayContaining([`${CALLER_NUMBER} placed on hold by Dana Agent`, 'Checked with Twilio (no callback within 150 ms)']));
    expect(h.fake.requests.filter((r) => r.method === 'GET').map((r) => r.path)).toEqual([`/Conferences/${live.conferenceSid}/Participants/${live.callerSid}.json`]);
  });

  it('asks Twilio nothing when the callback came in time', async () => {
    const h = await startHarness({ reconcileAfterMs: 100 });
    const live = await liveConferenceCall(h);
    await h.call('POST', `/sessions/${live.sessionId}/hold`, {});
    await h.fake.settled();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(h.fake.requests.filter((r) => r.method === 'GET')).toEqual([]);
  });
});

describe('the error matrix', () => {
  const onParticipant = (r: { path: string }) => r.path.includes('/Participants/');

  it('answers each Twilio failure with its code, the Twilio code in meta, and says whether anything was sent', async () => {
    const h = await startHarness();
    const live = await liveConferenceCall(h);
    const cases = [
      { fault: FAULTS.authFailed, status: 502, code: 'TelephonyAuthFailed', twilioCode: '20003', attempts: 1 },
      { fault: FAULTS.serverError, status: 502, code: 'TelephonyError', twilioCode: '20500', attempts: 1 },
      { fault: FAULTS.htmlUnavailable, status: 502, code: 'TelephonyError', twilioCode: undefined, attempts: 1 },
      // maxRetries 1 in the harness: two attempts, then 503 with Retry-After.
      { fault: FAULTS.rateLimited, status: 503, code: 'TelephonyRateLimited', twilioCode: '20429', attempts: 2, times: 2 },
      { fault: { kind: 'delay', ms: 700 } as const, status: 504, code: 'TelephonyOutcomeUnknown', twilioCode: undefined, attempts: 1 },
    ];
    for (const c of cases) {
      const before = h.fake.requests.length;
      h.fake.inject(c.fault, onParticipant, c.times ?? 1);
      const res = await h.call('POST', `/sessions/${live.sessionId}/hold`, {});
      const body = await res.json();
      expect([res.status, body.responseStatus.errorCode, body.responseStatus.meta?.twilioCode], c.code).toEqual([c.status, c.code, c.twilioCode]);
      expect(res.statusText).toBe(c.code);
      expect(h.fake.requests.length - before, c.code).toBe(c.attempts);
      if (c.code === 'TelephonyRateLimited') expect(res.headers.get('retry-after')).toBe('1');
      if (c.code === 'TelephonyOutcomeUnknown') expect(body.responseStatus.message).toMatch(/may still happen/);
      await h.fake.settled();
      // The delayed request did hold the caller; take it back off for the next case.
      if ((await h.session(live.sessionId)).callState === 'Hold') {
        await h.call('PATCH', `/sessions/${live.sessionId}/conference/members/${live.callerSid}`, { hold: false });
        await h.fake.settled();
      }
    }
    const log = messages(await h.session(live.sessionId));
    expect(log).toContain(`Hold of ${live.callerSid} requested by Dana Agent: refused by Twilio (20003)`);
    expect(log).toContain(`Hold of ${live.callerSid} requested by Dana Agent: Twilio did not answer; waiting for its report`);
  });

  it('a call Twilio no longer has live is a 409 CallNotActive, reconciled at once', async () => {
    const h = await startHarness();
    const live = await liveConferenceCall(h);
    // The caller hung up and the callback was lost: Twilio has no participant any more.
    h.fake.holdCallbacks = true;
    h.fake.setCallStatus(live.callerSid, 'completed');
    h.fake.pending.splice(0);
    const res = await h.call('POST', `/sessions/${live.sessionId}/hold`, {});
    expect(res.status).toBe(409);
    const body = await res.json();
    expect(body.responseStatus).toMatchObject({ errorCode: 'CallNotActive', meta: { twilioCode: '20404', twilioStatus: '404' } });
    expect(h.fake.requests.map((r) => [r.method, r.path])).toEqual([
      ['POST', `/Conferences/${live.conferenceSid}/Participants/${live.callerSid}.json`],
      ['GET', `/Conferences/${live.conferenceSid}/Participants/${live.callerSid}.json`],
    ]);
    const after = await h.session(live.sessionId);
    expect(member(after, live.callerSid)?.callState).toBe('None');
    expect(messages(after)).toContain('Checked with Twilio (Twilio answered 20404)');
  });

  it('a redirect of a call no longer in progress (21220) is a 409; a bad destination Twilio refuses is a 400 TelephonyRejected', async () => {
    const h = await startHarness();
    const live = await liveConferenceCall(h);
    h.fake.inject(FAULTS.notInProgress, (r) => r.path.startsWith('/Calls/'));
    const redirect = await h.call('POST', `/sessions/${live.sessionId}/redirect`, { destination: '+15035550177' });
    expect(redirect.status).toBe(409);
    expect((await redirect.json()).responseStatus).toMatchObject({ errorCode: 'CallNotActive', meta: { twilioCode: '21220' } });
    h.fake.inject(FAULTS.invalidTo, (r) => r.path.endsWith('/Participants.json'));
    const add = await h.call('POST', `/sessions/${live.sessionId}/conference/members`, { destination: '+15035550177' });
    expect(add.status).toBe(400);
    expect((await add.json()).responseStatus).toMatchObject({ errorCode: 'TelephonyRejected', meta: { twilioCode: '21211' } });
  });

  it('refuses bad input with a 400 and sends nothing', async () => {
    const h = await startHarness();
    const live = await liveConferenceCall(h);
    const cases: [string, string, unknown, string][] = [
      ['POST', `/sessions/${live.sessionId}/redirect`, { destination: 'billing please' }, 'Destination'],
      ['POST', `/sessions/${live.sessionId}/redirect`, {}, 'Destination'],
      ['POST', `/sessions/${live.sessionId}/hold`, { callSid: 'CA12/Participants?x=1' }, 'CallSid'],
      ['POST', `/sessions/${live.sessionId}/hold`, { callSid: 'CA0000000000000000000000000000ffff' }, 'CallSid'],
      ['PATCH', `/sessions/${live.sessionId}/conference/members/CA0000000000000000000000000000ffff`, { muted: true }, 'CallSid'],
      ['PATCH', `/sessions/${live.sessionId}/conference/members/${live.callerSid}`, {}, 'Hold'],
      ['POST', `/sessions/${live.sessionId}/conference/members`, { destination: '+15035550177', fromNumber: '555' }, 'FromNumber'],
    ];
    for (const [method, path, body, field] of cases) {
      const res = await h.call(method, path, body);
      expect(res.status, `${method} ${path}`).toBe(400);
      expect((await res.json()).responseStatus.errors[0].fieldName, path).toBe(field);
    }
    expect(h.fake.requests).toEqual([]);
  });

  it('an account without Twilio credentials is a 409 TelephonyNotConfigured, and nothing is sent', async () => {
    const h = await startHarness();
    const live = await liveConferenceCall(h);
    await h.store.db.updateTable('accounts').set({ twilio_auth_token: null }).execute();
    const res = await h.call('POST', `/sessions/${live.sessionId}/hold`, {});
    expect(res.status).toBe(409);
    expect((await res.json()).responseStatus.errorCode).toBe('TelephonyNotConfigured');
    expect(h.fake.requests).toEqual([]);
  });

  it('Twilio unreachable is a 503 "nothing was changed"', async () => {
    const h = await startHarness({ twilioApiUrl: await deadUrl() });
    const live = await liveConferenceCall(h);
    const res = await h.call('POST', `/sessions/${live.sessionId}/hold`, {});
    expect(res.status).toBe(503);
    const status = (await res.json()).responseStatus;
    expect(status).toMatchObject({ errorCode: 'TelephonyUnavailable', meta: { transport: 'ECONNREFUSED' } });
    expect(status.message).toMatch(/nothing was changed/);
    expect((await h.session(live.sessionId)).callState).toBe('Connected');
  });
});

describe('idempotency and races', () => {
  it('EndSession twice: the second is a 204 with no Twilio request; hold on a held or ended session sends nothing', async () => {
    const h = await startHarness();
    const live = await liveConferenceCall(h);
    expect((await h.call('POST', `/sessions/${live.sessionId}/hold`, {})).status).toBe(200);
    await h.fake.settled();
    const sent = h.fake.requests.length;
    const again = await h.call('POST', `/sessions/${live.sessionId}/hold`, {});
    expect(again.status).toBe(200);
    expect((await again.json()).callState).toBe('Hold');
    expect(h.fake.requests.length).toBe(sent);
    expect((await h.call('DELETE', `/sessions/${live.sessionId}`)).status).toBe(204);
    await h.fake.settled();
    expect((await h.session(live.sessionId)).ended).toBe(true);
    const ended = h.fake.requests.length;
    expect((await h.call('DELETE', `/sessions/${live.sessionId}`)).status).toBe(204);
    const hold = await h.call('POST', `/sessions/${live.sessionId}/hold`, {});
    expect(hold.status).toBe(409);
    expect((await hold.json()).responseStatus.errorCode).toBe('SessionEnded');
    expect(h.fake.requests.length).toBe(ended);
  });

  it('a hold racing a hang-up is serialised: the session ends, and no participant is left held in a live conference', async () => {
    for (let round = 0; round < 4; round++) {
      const h = await startHarness();
      const live = await liveConferenceCall(h);
      // The first command to reach Twilio is slow: a second one not serialised would overlap it.
      h.fake.inject({ kind: 'delay', ms: 150 }, (r) => r.method === 'POST');
      const hold = () => h.call('POST', `/sessions/${live.sessionId}/hold`, {});
      const end = () => h.call('DELETE', `/sessions/${live.sessionId}`);
      const [held, ended] = round % 2 === 0 ? await Promise.all([hold(), end()]) : (await Promise.all([end(), hold()])).reverse();
      await h.fake.settled();
      expect(ended!.status).toBe(204);
      const writes = h.fake.writes;
      expect(writes.length).toBeGreaterThanOrEqual(1);
      for (let i = 1; i < writes.length; i++) expect(writes[i]!.receivedAt).toBeGreaterThanOrEqual(writes[i - 1]!.answeredAt!);
      // Hold first: it was held, then the hang-up ended the conference. Hang-up first: the hold finds
      // the call gone (409) or the session ended (409), and Twilio holds no one.
      if (writes[0]!.path.includes('/Participants/')) expect(held!.status).toBe(200);
      else expect(held!.status).toBe(409);
      const after = await eventually(h, live.sessionId, (s) => s.ended === true);
      expect(after).toMatchObject({ ended: true, callState: 'Disconnected' });
      const stranded = [...h.fake.conferences.values()].filter((c) => c.status === 'in-progress' && [...c.participants.values()].some((p) => p.hold));
      expect(stranded).toEqual([]);
    }
  });
});

