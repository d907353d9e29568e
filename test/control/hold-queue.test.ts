/**
 * Hold outside a conference: the caller's leg is parked in the session's hold queue (`<Enqueue>`),
 * and unhold (the member patch, `hold: false`) takes it back to an agent. The session changes only
 * when Twilio's signed requests to the queue's routes arrive (wait music, QueueResult, the TwiML
 * that dials the agent back), or when reconciliation finds what Twilio has.
 */
import { describe, expect, it } from 'vitest';
import twilio from 'twilio';
import { startTestServer } from '../support/server.js';
import { ACCOUNT_SID, AUTH_TOKEN, CALLER_NUMBER, eventually, PUBLIC_URL, ringingAgentCall, startHarness, type Harness } from './support/control-harness.js';

const member = (session: { members?: { callSid?: string; callState?: string }[] }, callSid: string) => session.members?.find((m) => m.callSid === callSid);
const messages = (session: { log?: { message?: string }[] }) => (session.log ?? []).map((l) => l.message);

/** An inbound call Dana answered through `<Dial>`: a plain call, in no conference. */
async function bridgedCall(h: Harness) {
  const call = await ringingAgentCall(h);
  h.fake.setCallStatus(call.agentSid, 'in-progress');
  await h.fake.settled();
  return { ...call, queueName: `hold-${call.sessionId}` };
}

const hold = (h: Harness, sessionId: string, body: unknown = {}) => h.call('POST', `/sessions/${sessionId}/hold`, body);
const unhold = (h: Harness, sessionId: string, callSid: string) => h.call('PATCH', `/sessions/${sessionId}/conference/members/${callSid}`, { hold: false });

describe('hold on a plain call: the hold queue', () => {
  it('parks the caller in hold-<sessionId>: Hold, holdQueueName and who held it show once Twilio asks for the wait music', async () => {
    const h = await startHarness();
    const call = await bridgedCall(h);
    expect(await h.session(call.sessionId)).toMatchObject({ callState: 'Connected' });
    h.fake.holdCallbacks = true;
    const res = await hold(h, call.sessionId, { reason: 'Transferring' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ callState: 'Connected' });
    const [update] = h.fake.writes;
    expect([h.fake.writes.length, update!.path, update!.username, update!.password]).toEqual([1, `/Calls/${call.callerSid}.json`, ACCOUNT_SID, AUTH_TOKEN]);
    const twiml = update!.form.get('Twiml')!;
    expect(twiml).toMatch(new RegExp(`^<Response><Enqueue action="${PUBLIC_URL}/twilio/hold/result\\?sessionId=${call.sessionId}&#38;hold=[0-9a-f]{16}&#38;queue=${call.queueName}&#38;back=client%3Adana" method="POST" waitUrl="${PUBLIC_URL}/twilio/hold/wait\\?[^"]+" waitUrlMethod="POST">${call.queueName}</Enqueue></Response>$`));
    // Nothing shows before Twilio confirms.
    expect((await h.session(call.sessionId)).callState).toBe('Connected');
    const waits = h.fake.pending.filter((c) => c.url.startsWith(`${PUBLIC_URL}/twilio/hold/wait`));
    expect(waits).toHaveLength(1);
    expect(waits[0]!.params).toMatchObject({ CallSid: call.callerSid, QueuePosition: '1' });
    await h.fake.flush();
    const held = await h.session(call.sessionId);
    expect(held).toMatchObject({ callState: 'Hold', holdQueueName: call.queueName, holdReason: 'Transferring', heldByUserId: h.danaId });
    expect(member(held, call.callerSid)?.callState).toBe('Hold');
    // Twilio hangs up the agent's <Dial> leg as the caller leaves it.
    expect(member(held, call.agentSid)?.callState).toBe('None');
    expect(messages(held)).toEqual(expect.arrayContaining([`Hold of ${call.callerSid} (Transferring) requested by Dana Agent`, `${CALLER_NUMBER} placed on hold (Transferring) in ${call.queueName} by Dana Agent`]));
    expect([...h.fake.queues.values()].map((q) => [q.friendlyName, q.members])).toEqual([[call.queueName, [call.callerSid]]]);
    expect(h.fake.delivered.every((d) => d.status < 300)).toBe(true);
  });

  it('the wait request is answered with the configured hold music, looped until the call leaves', async () => {
    const h = await startHarness();
    const call = await bridgedCall(h);
    const other = await startTestServer([], { store: h.store, events: { publicUrl: PUBLIC_URL, holdMusicUrl: 'https://cdn.example.com/hold.mp3' }, control: { twilioApiUrl: h.fake.url } });
    h.fake.holdCallbacks = true;
    await hold(h, call.sessionId);
    const wait = h.fake.pending.find((c) => c.url.includes('/twilio/hold/wait'))!;
    let answer = '';
    await h.fake.deliverTo(other.url, { ...wait, onAnswer: (body) => (answer = body) });
    expect(answer).toBe('<?xml version="1.0" encoding="UTF-8"?><Response><Play loop="0">https://cdn.example.com/hold.mp3</Play></Response>');
    await h.fake.deliver({ ...wait, onAnswer: (body) => (answer = body) });
    expect(answer).toContain('<Play loop="0">http://com.twilio.sounds.music.s3.amazonaws.com/');
  });

  it('unhold redirects the caller to TwiML that dials the agent back: Connected again once Twilio fetches it', async () => {
    const h = await startHarness();
    const call = await bridgedCall(h);
    await hold(h, call.sessionId);
    await h.fake.settled();
    expect((await h.session(call.sessionId)).callState).toBe('Hold');
    h.fake.holdCallbacks = true;
    const res = await unhold(h, call.sessionId, call.callerSid);
    expect(res.status).toBe(200);
    const update = h.fake.writes.at(-1)!;
    expect([update.path, update.form.get('Method')]).toEqual([`/Calls/${call.callerSid}.json`, 'POST']);
    expect(update.form.get('Url')).toMatch(new RegExp(`^${PUBLIC_URL}/twilio/hold/resume\\?sessionId=${call.sessionId}&hold=[0-9a-f]{16}&queue=${call.queueName}&to=client%3Adana$`));
    expect((await h.session(call.sessionId)).callState).toBe('Hold');
    // The queue's action (QueueResult redirected) and the resume request both report the leaving; stored once.
    expect(h.fake.pending.map((c) => new URL(c.url).pathname)).toEqual(['/twilio/hold/result', '/twilio/hold/resume']);
    expect(h.fake.pending[0]!.params.QueueResult).toBe('redirected');
    h.fake.holdCallbacks = false;
    await h.fake.flush();
    await h.fake.settled();
    const back = await h.session(call.sessionId);
    expect(back).toMatchObject({ callState: 'Connected', holdReason: 'None' });
    expect(back.holdQueueName).toBeUndefined();
    expect(back.heldByUserId).toBeUndefined();
    expect(messages(back).filter((m) => m === `${CALLER_NUMBER} taken off hold by Dana Agent`)).toHaveLength(1);
    // The agent is dialled back as a member of the session, and answers.
    const agentLeg = [...h.fake.calls.values()].find((c) => c.parentCallSid === call.callerSid && c.sid !== call.agentSid)!;
    expect(agentLeg.to).toBe('client:dana');
    expect(member(back, agentLeg.sid)?.callState).toBe('Ringing');
    h.fake.setCallStatus(agentLeg.sid, 'in-progress');
    await h.fake.settled();
    expect(member(await h.session(call.sessionId), agentLeg.sid)?.callState).toBe('Connected');
    expect(h.fake.queues.get([...h.fake.queues.keys()][0]!)!.members).toEqual([]);
  });

  it('a held call is held once: a second hold sends nothing; unhold of a call off hold sends nothing', async () => {
    const h = await startHarness();
    const call = await bridgedCall(h);
    expect((await unhold(h, call.sessionId, call.callerSid)).status).toBe(409);
    await hold(h, call.sessionId);
    await h.fake.settled();
    const sent = h.fake.requests.length;
    const again = await hold(h, call.sessionId);
    expect([again.status, (await again.json()).callState]).toEqual([200, 'Hold']);
    expect(h.fake.requests.length).toBe(sent);
    await unhold(h, call.sessionId, call.callerSid);
    await h.fake.settled();
    expect((await unhold(h, call.sessionId, call.callerSid)).status).toBe(200);
    expect(h.fake.requests.length).toBe(sent + 1);
  });

  it('outside a conference only the caller is held, and a muted flag needs a conference: 409, nothing sent', async () => {
    const h = await startHarness();
    const call = await bridgedCall(h);
    const agent = await hold(h, call.sessionId, { callSid: call.agentSid });
    expect(agent.status).toBe(409);
    expect((await agent.json()).responseStatus.message).toMatch(/only the caller's leg can be held/);
    await hold(h, call.sessionId);
    await h.fake.settled();
    const before = h.fake.requests.length;
    expect((await h.call('PATCH', `/sessions/${call.sessionId}/conference/members/${call.callerSid}`, { muted: true })).status).toBe(409);
    expect(h.fake.requests.length).toBe(before);
  });

  it('hanging up a held call: Twilio reports the hang-up from the queue, and the session ends', async () => {
    const h = await startHarness();
    const call = await bridgedCall(h);
    await hold(h, call.sessionId);
    await h.fake.settled();
    expect((await h.call('DELETE', `/sessions/${call.sessionId}`)).status).toBe(204);
    expect(h.fake.writes.at(-1)!.form.get('Status')).toBe('completed');
    await h.fake.settled();
    const ended = await h.session(call.sessionId);
    expect(ended).toMatchObject({ ended: true, callState: 'Disconnected', holdReason: 'None' });
    expect(ended.holdQueueName).toBeUndefined();
    expect(messages(ended)).toContain(`${CALLER_NUMBER} hung up while on hold`);
  });

  it('the queue routes check Twilio’s signature: a tampered wait request is refused and changes nothing', async () => {
    const h = await startHarness();
    const call = await bridgedCall(h);
    h.fake.holdCallbacks = true;
    await hold(h, call.sessionId);
    const wait = h.fake.pending.find((c) => c.url.includes('/twilio/hold/wait'))!;
    const signature = twilio.getExpectedTwilioSignature(AUTH_TOKEN, wait.url, wait.params);
    const given = new URL(wait.url);
    const res = await fetch(h.url + given.pathname + given.search, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
      body: new URLSearchParams({ ...wait.params, CallSid: call.agentSid }).toString(),
    });
    expect(res.status).toBe(403);
    expect((await h.session(call.sessionId)).callState).toBe('Connected');
    expect(await h.fake.deliver(wait)).toBe(200);
    expect((await h.session(call.sessionId)).callState).toBe('Hold');
  });

  it('lost confirmations: after the deadline Switchboard asks Twilio’s queue for the call, and records what it finds', async () => {
    const h = await startHarness({ reconcileAfterMs: 150 });
    const call = await bridgedCall(h);
    h.fake.holdCallbacks = true;
    await hold(h, call.sessionId);
    h.fake.pending.splice(0); // the wait-music request never arrives
    const held = await eventually(h, call.sessionId, (s) => s.callState === 'Hold');
    expect(held).toMatchObject({ callState: 'Hold', holdQueueName: call.queueName, heldByUserId: h.danaId });
    expect(messages(held)).toEqual(expect.arrayContaining([`${CALLER_NUMBER} placed on hold in ${call.queueName} by Dana Agent`, 'Checked with Twilio (no callback within 150 ms)']));
    const queueSid = [...h.fake.queues.keys()][0]!;
    expect(h.fake.requests.filter((r) => r.method === 'GET').map((r) => r.path)).toEqual(['/Queues.json', `/Queues/${queueSid}/Members/${call.callerSid}.json`]);
    await unhold(h, call.sessionId, call.callerSid);
    h.fake.pending.splice(0); // neither the action nor the resume request arrives
    const back = await eventually(h, call.sessionId, (s) => s.callState === 'Connected');
    expect(back.callState).toBe('Connected');
    expect(messages(back)).toContain(`${CALLER_NUMBER} taken off hold by Dana Agent`);
  });
});
