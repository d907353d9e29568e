/**
 * Call control end to end (call-control-and-messaging.md §6 test plan): a real Switchboard on
 * 127.0.0.1, the official `twilio` package talking to the local Twilio fake, and the fake's signed
 * callbacks coming back through the webhooks. The session changes only when those arrive.
 */
import { JsonServiceClient } from '@servicestack/client';
import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import { sessionIdForKey } from '../../src/events/session-id.js';
import { SESSION_KEY_SECRET_FOR_TESTS } from '../events/support/directory-seed.js';
import { EndSession, GetActiveCalls, HoldSession, NewOutgoingSession } from './support/control-client-dtos.js';
import {
  ACCOUNT_ID,
  ACCOUNT_SID,
  addManager,
  AUTH_TOKEN,
  CALLER_NUMBER,
  eventually,
  liveConferenceCall,
  MAIN_LINE,
  OTHER_ACCOUNT_ID,
  OTHER_ACCOUNT_SID,
  OTHER_TOKEN,
  PASSWORD,
  PUBLIC_URL,
  ringingAgentCall,
  startHarness,
} from './support/control-harness.js';

const member = (session: { members?: { callSid?: string; callState?: string; muted?: boolean }[] }, callSid: string) => session.members?.find((m) => m.callSid === callSid);
const messages = (session: { log?: { message?: string }[] }) => (session.log ?? []).map((l) => l.message);

describe('the command → callback → session loop', () => {
  it('holds: the request carries the account’s credentials; the session shows Hold only once Twilio’s callback arrives', async () => {
    const h = await startHarness();
    const live = await liveConferenceCall(h);
    expect(await h.session(live.sessionId)).toMatchObject({ callState: 'Connected', conferenceSid: live.conferenceSid });
    h.fake.holdCallbacks = true;
    const res = await h.call('POST', `/sessions/${live.sessionId}/hold`, { callSid: live.callerSid, reason: 'Transferring' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ callState: 'Connected' });
    expect(h.fake.writes.map((r) => [r.method, r.path, r.form.get('Hold'), r.username, r.password])).toEqual([
      ['POST', `/Conferences/${live.conferenceSid}/Participants/${live.callerSid}.json`, 'true', ACCOUNT_SID, AUTH_TOKEN],
    ]);
    const before = await h.session(live.sessionId);
    expect(before.callState).toBe('Connected');
    expect(messages(before)).toContain(`Hold of ${live.callerSid} (Transferring) requested by Dana Agent`);
    await h.fake.flush();
    const held = await h.session(live.sessionId);
    expect(held).toMatchObject({ callState: 'Hold', holdReason: 'Transferring', heldByUserId: h.danaId });
    expect(member(held, live.callerSid)?.callState).toBe('Hold');
    expect(messages(held)).toContain(`${CALLER_NUMBER} placed on hold (Transferring) by Dana Agent`);
  });

  it('unholds and mutes through the member patch, one request for both, each confirmed by its callback', async () => {
    const h = await startHarness();
    const live = await liveConferenceCall(h);
    await h.call('POST', `/sessions/${live.sessionId}/hold`, {});
    await h.fake.settled();
    expect((await h.session(live.sessionId)).callState).toBe('Hold');
    h.fake.holdCallbacks = true;
    const res = await h.call('PATCH', `/sessions/${live.sessionId}/conference/members/${live.callerSid}`, { hold: false, muted: true });
    expect(res.status).toBe(200);
    const patch = h.fake.writes.at(-1)!;
    expect([patch.path, patch.form.get('Hold'), patch.form.get('Muted')]).toEqual([`/Conferences/${live.conferenceSid}/Participants/${live.callerSid}.json`, 'false', 'true']);
    expect((await h.session(live.sessionId)).callState).toBe('Hold');
    await h.fake.flush();
    const after = await h.session(live.sessionId);
    expect(after.callState).toBe('Connected');
    expect(member(after, live.callerSid)).toMatchObject({ callState: 'Connected', muted: true });
    expect(messages(after)).toEqual(expect.arrayContaining([`${CALLER_NUMBER} taken off hold by Dana Agent`, `${CALLER_NUMBER} muted by Dana Agent`]));
  });

  it('ends: the whole conference is ended at Twilio, and the session ends with the caller’s completed callback', async () => {
    const h = await startHarness();
    const live = await liveConferenceCall(h);
    h.fake.holdCallbacks = true;
    const res = await h.call('DELETE', `/sessions/${live.sessionId}`);
    expect(res.status).toBe(204);
    expect(h.fake.writes.map((r) => [r.path, r.form.get('Status')])).toEqual([[`/Conferences/${live.conferenceSid}.json`, 'completed']]);
    expect((await h.session(live.sessionId)).ended).toBe(false);
    await h.fake.flush();
    const ended = await h.session(live.sessionId);
    expect(ended).toMatchObject({ ended: true, callState: 'Disconnected', outcome: 'Answered' });
    expect(messages(ended)).toContain('Call ended (completed, 0s) by Dana Agent');
  });

  it('adds a member: makes the conference first when the call is bridged, then dials the member (201 call_sid recorded)', async () => {
    const h = await startHarness();
    const live = await liveConferenceCall(h);
    const res = await h.call('POST', `/sessions/${live.sessionId}/conference/members`, { callSid: live.agentSid, destination: '+15035550177' });
    expect(res.status).toBe(200);
    const create = h.fake.writes.at(-1)!;
    expect(create.path).toBe(`/Conferences/${live.conferenceSid}/Participants.json`);
    expect(create.form.get('From')).toBe(MAIN_LINE);
    expect(create.form.get('To')).toBe('+15035550177');
    expect(create.form.getAll('StatusCallbackEvent')).toEqual(['initiated', 'ringing', 'answered', 'completed']);
    expect(create.form.getAll('ConferenceStatusCallbackEvent')).toEqual(['start', 'end', 'join', 'leave', 'mute', 'hold']);
    expect(create.form.get('StatusCallback')).toBe(`${PUBLIC_URL}/twilio/voice/status?sessionId=${live.sessionId}`);
    await h.fake.settled();
    const after = await h.session(live.sessionId);
    const added = after.members?.find((m) => m.identity === '+15035550177');
    expect(added).toMatchObject({ callState: 'Connected', role: 'Transfer' });
    expect(after.mostRecentParticipantCallSid).toBe(added?.callSid);
    expect(messages(after)).toContain('Adding a conference member to +15035550177 requested by Dana Agent');
  });

  it('makes a conference out of a bridged call: each live leg gets <Dial><Conference> named after the session', async () => {
    const h = await startHarness();
    const ringing = await ringingAgentCall(h);
    h.fake.setCallStatus(ringing.agentSid, 'in-progress');
    await h.fake.settled();
    const res = await h.call('POST', `/sessions/${ringing.sessionId}/conference`, {});
    expect(res.status).toBe(200);
    expect(h.fake.writes.map((r) => r.path)).toEqual([`/Calls/${ringing.agentSid}.json`, `/Calls/${ringing.callerSid}.json`]);
    const twiml = h.fake.writes[1]!.form.get('Twiml')!;
    expect(twiml).toContain(`>${ringing.sessionId}</Conference>`);
    expect(twiml).toContain('statusCallbackEvent="start end join leave mute hold"');
    expect(twiml).toContain('endConferenceOnExit="true"');
    await h.fake.settled();
    const after = await h.session(ringing.sessionId);
    expect(after.conferenceSid).toMatch(/^CF/);
    expect(member(after, ringing.callerSid)?.callState).toBe('Connected');
    // Already in a conference: nothing more is sent.
    const again = await h.call('POST', `/sessions/${ringing.sessionId}/conference`, {});
    expect(again.status).toBe(200);
    expect(h.fake.writes).toHaveLength(2);
  });

  it('transfers blind: the caller’s leg dials the destination, whose leg joins the session as a member', async () => {
    const h = await startHarness();
    const live = await liveConferenceCall(h);
    const res = await h.call('POST', `/sessions/${live.sessionId}/redirect`, { destination: 'ep_sales_line', callerId: MAIN_LINE });
    expect(res.status).toBe(204);
    const update = h.fake.writes.at(-1)!;
    expect(update.path).toBe(`/Calls/${live.callerSid}.json`);
    expect(update.form.get('Twiml')).toBe(
      `<Response><Dial callerId="${MAIN_LINE}"><Number statusCallback="${PUBLIC_URL}/twilio/voice/status?sessionId=${live.sessionId}" statusCallbackEvent="initiated ringing answered completed">+15035550100</Number></Dial></Response>`,
    );
    await h.fake.settled();
    const after = await h.session(live.sessionId);
    expect(after.members?.find((m) => m.identity === '+15035550100')).toMatchObject({ callState: 'Ringing', displayName: 'Sales line' });
    expect(messages(after)).toEqual(expect.arrayContaining(['Transfer to +15035550100 requested by Dana Agent', 'Ringing Sales line']));
  });

  it('records (no body, no Content-Type): a dual-channel recording, logged when Twilio reports it started', async () => {
    const h = await startHarness();
    const live = await liveConferenceCall(h);
    const res = await fetch(`${h.url}/sessions/${live.sessionId}/record`, { method: 'POST', headers: { cookie: h.cookie } });
    expect(res.status).toBe(200);
    const create = h.fake.writes.at(-1)!;
    expect(create.path).toBe(`/Calls/${live.callerSid}/Recordings.json`);
    expect([create.form.get('RecordingChannels'), create.form.get('RecordingTrack')]).toEqual(['dual', 'both']);
    expect(create.form.getAll('RecordingStatusCallbackEvent')).toEqual(['in-progress', 'completed', 'absent']);
    await h.fake.settled();
    expect(messages(await h.session(live.sessionId))).toContain('Recording started');
  });

  it('hangs up one leg by ?callSid=: a leg still ringing is canceled, and the session goes on', async () => {
    const h = await startHarness();
    const ringing = await ringingAgentCall(h);
    const res = await h.call('DELETE', `/sessions/${ringing.sessionId}?callSid=${ringing.agentSid}`);
    expect(res.status).toBe(204);
    expect(h.fake.writes.map((r) => [r.path, r.form.get('Status')])).toEqual([[`/Calls/${ringing.agentSid}.json`, 'canceled']]);
    await h.fake.settled();
    const after = await h.session(ringing.sessionId);
    expect(member(after, ringing.agentSid)?.callState).toBe('None');
    expect(after).toMatchObject({ ended: false, callState: 'Connected' });
    // The leg has ended: asking again sends nothing.
    expect((await h.call('DELETE', `/sessions/${ringing.sessionId}?callSid=${ringing.agentSid}`)).status).toBe(204);
    expect(h.fake.writes).toHaveLength(1);
  });

  it('rejects (no body, no Content-Type): the leg ringing on the caller’s own device is canceled', async () => {
    const h = await startHarness();
    const ringing = await ringingAgentCall(h);
    const res = await fetch(`${h.url}/sessions/${ringing.sessionId}/reject`, { method: 'POST', headers: { cookie: h.cookie } });
    expect(res.status).toBe(200);
    expect(h.fake.writes.map((r) => [r.path, r.form.get('Status')])).toEqual([[`/Calls/${ringing.agentSid}.json`, 'canceled']]);
    await h.fake.settled();
    const after = await h.session(ringing.sessionId);
    expect(member(after, ringing.agentSid)?.callState).toBe('None');
    expect(after.ended).toBe(false);
    expect(messages(after)).toContain('Dana Agent did not answer (canceled)');
  });
});

describe('tenants, outbound calls, active calls, as Evo clients send them', () => {
  it('acts on each account’s calls with that account’s own credentials only', async () => {
    const h = await startHarness();
    const ours = await liveConferenceCall(h);
    const theirs = await liveConferenceCall(h, OTHER_ACCOUNT_SID, OTHER_ACCOUNT_ID);
    // Dana cannot touch the other account's session: the wall answers before Twilio is asked.
    expect((await h.call('POST', `/sessions/${theirs.sessionId}/hold`, {})).status).toBe(403);
    expect(h.fake.requests).toEqual([]);
    const olga = (method: string, path: string) => fetch(h.url + path, { method, headers: { cookie: h.otherCookie, 'content-type': 'application/json' }, body: '{}' });
    expect((await olga('POST', `/sessions/${theirs.sessionId}/hold`)).status).toBe(200);
    expect((await h.call('POST', `/sessions/${ours.sessionId}/hold`, {})).status).toBe(200);
    expect(h.fake.writes.map((r) => [r.accountSid, r.username, r.password])).toEqual([
      [OTHER_ACCOUNT_SID, OTHER_ACCOUNT_SID, OTHER_TOKEN],
      [ACCOUNT_SID, ACCOUNT_SID, AUTH_TOKEN],
    ]);
  });

  it('a JsonServiceClient holds and hangs up (DELETE with no body)', async () => {
    const h = await startHarness();
    const live = await liveConferenceCall(h);
    const client = new JsonServiceClient(h.url);
    client.setCredentials('dana@acme.test', PASSWORD);
    const held = await client.post(new HoldSession({ sessionId: live.sessionId }));
    expect(held.id).toBe(live.sessionId);
    await client.delete(new EndSession({ sessionId: live.sessionId }));
    await h.fake.settled();
    expect(await eventually(h, live.sessionId, (s) => s.ended === true)).toMatchObject({ ended: true });
    expect(h.fake.writes.map((r) => r.path)).toEqual([`/Conferences/${live.conferenceSid}/Participants/${live.callerSid}.json`, `/Conferences/${live.conferenceSid}.json`]);
  });

  it('places an outbound call for a Manager: Calls create with the account’s number, and the session opens from the callbacks', async () => {
    const h = await startHarness();
    const manager = await addManager(h);
    const client = new JsonServiceClient(h.url);
    client.setCredentials(manager.email, PASSWORD);
    await client.post(new NewOutgoingSession({ numberToDial: '+15035550177', flowId: 'flow_1' }));
    const create = h.fake.writes[0]!;
    expect(create.path).toBe('/Calls.json');
    expect([create.form.get('To'), create.form.get('From'), create.form.get('Url'), create.form.get('StatusCallback')]).toEqual([
      '+15035550177',
      MAIN_LINE,
      `${PUBLIC_URL}/twilio/voice?flowId=flow_1`,
      `${PUBLIC_URL}/twilio/voice/status`,
    ]);
    expect(create.form.getAll('StatusCallbackEvent')).toEqual(['initiated', 'ringing', 'answered', 'completed']);
    await h.fake.settled();
    const callSid = [...h.fake.calls.keys()][0]!;
    const session = await h.session(sessionIdForKey(SESSION_KEY_SECRET_FOR_TESTS, ACCOUNT_ID, 'twilio', callSid));
    expect(session).toMatchObject({ direction: 'Outgoing', callState: 'Connected', toAddress: '+15035550177', callSid });
    expect(messages(session)).toContain('Outgoing call to +15035550177 requested by Max Manager');
    // Agents may not place calls for the account.
    expect((await h.call('POST', '/sessions/outgoing', { numberToDial: '+15035550177' })).status).toBe(403);
  });

  it('lists active calls as CallInfo, in CallInfo’s member order', async () => {
    const h = await startHarness();
    const live = await liveConferenceCall(h);
    const manager = await addManager(h);
    const cookie = manager.cookie;
    const res = await fetch(`${h.url}/calls/active?accountId=${ACCOUNT_ID}`, { headers: { cookie, accept: 'application/json' } });
    expect(res.status).toBe(200);
    const { calls } = (await res.json()) as { calls: Record<string, unknown>[] };
    expect(calls.map((c) => c.sid).sort()).toEqual([live.callerSid, live.agentSid].sort());
    const caller = calls.find((c) => c.sid === live.callerSid)!;
    expect(Object.keys(caller)).toEqual(['accountSid', 'dateCreated', 'dateUpdated', 'direction', 'duration', 'from', 'fromFormatted', 'price', 'priceUnit', 'sid', 'startTime', 'status', 'to', 'toFormatted', 'uri']);
    expect(caller).toMatchObject({ accountSid: ACCOUNT_SID, status: 'in-progress', from: CALLER_NUMBER, duration: 0, price: 0 });
    expect(h.fake.requests.map((r) => [r.method, r.path, r.query.get('Status')])).toEqual([
      ['GET', '/Calls.json', 'in-progress'],
      ['GET', '/Calls.json', 'ringing'],
    ]);
    const client = new JsonServiceClient(h.url);
    client.setCredentials(manager.email, PASSWORD);
    expect((await client.get(new GetActiveCalls({ accountId: ACCOUNT_ID }))).calls).toHaveLength(2);
  });

  it('callbacks the fake signs pass the signature check; a tampered one is refused and stores nothing', async () => {
    const h = await startHarness();
    const live = await liveConferenceCall(h);
    expect(h.fake.delivered.every((d) => d.status === 200 || d.status === 204)).toBe(true);
    h.fake.holdCallbacks = true;
    await h.call('POST', `/sessions/${live.sessionId}/hold`, {});
    const [callback] = h.fake.pending.splice(0);
    const signature = twilio.getExpectedTwilioSignature(AUTH_TOKEN, callback!.url, callback!.params);
    const tampered = new URLSearchParams({ ...callback!.params, Hold: 'false', StatusCallbackEvent: 'participant-unhold' });
    const given = new URL(callback!.url);
    const res = await fetch(h.url + given.pathname + given.search, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature }, body: tampered.toString() });
    expect(res.status).toBe(403);
    expect((await h.session(live.sessionId)).callState).toBe('Connected');
    expect(await h.fake.deliver(callback!)).toBe(204);
    expect((await h.session(live.sessionId)).callState).toBe('Hold');
  });
});
