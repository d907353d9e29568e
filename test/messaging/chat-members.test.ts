/**
 * A chat with invited cell members and its end, against the local Twilio fake over real HTTP: a
 * member's text joins the chat it was invited to and is relayed to the party and the other
 * members, the party's texts and agents' replies reach the members, a removed member is neither
 * routed nor relayed to, and EndSession ends a chat (a ledger event, no Twilio request) so the
 * party's next text opens a new one.
 */
import { describe, expect, it } from 'vitest';
import type { SessionInfo } from '../../src/model/session-info.js';
import { ACCOUNT_SID, MAIN_LINE, PUBLIC_URL, startHarness, type Harness } from '../control/support/control-harness.js';

const SMS_URL = `${PUBLIC_URL}/twilio/messaging`;
const PARTY = '+15035557777';
const SUPERVISOR = '+15035558888';
const EXPERT = '+15035559999';

const log = (session: SessionInfo) => (session.log ?? []).map((l) => l.message);

async function sessionOfText(h: Harness, sid: string): Promise<string> {
  const row = await h.store.db.selectFrom('session_events').select('session_id').where('dedupe_key', '=', `twilio:message:${sid}`).executeTakeFirstOrThrow();
  return row.session_id;
}

async function text(h: Harness, body: string, from: string, sid?: string, media?: { url: string; contentType: string }[]) {
  const sent = await h.fake.receiveText(ACCOUNT_SID, SMS_URL, { from, to: MAIN_LINE, body, sid, media });
  expect(sent.status).toBe(200);
  await h.fake.settled();
  return { sid: sent.sid, sessionId: await sessionOfText(h, sent.sid) };
}

/** What the fake was asked to send since `from`, as (to, body). */
const sentSince = (h: Harness, from: number) => h.fake.messages.slice(from).map((m) => [m.from, m.to, m.body]);

/** A chat with the party, and the supervisor's and the expert's cells invited to it. */
async function chatWithMembers(h: Harness) {
  const { sessionId } = await text(h, 'My order never came', PARTY);
  for (const member of [SUPERVISOR, EXPERT]) expect((await h.call('POST', `/sessions/${sessionId}/members`, { memberToAdd: member })).status).toBe(200);
  await h.fake.settled();
  return sessionId;
}

describe('invited cell members', () => {
  it('a member’s text joins the chat and goes to the party (unprefixed) and the other member (named), from the chat’s number', async () => {
    const h = await startHarness();
    const sessionId = await chatWithMembers(h);
    const before = h.fake.messages.length;
    const reply = await text(h, 'Sam here, I will look into it', SUPERVISOR);
    expect(reply.sessionId).toBe(sessionId);
    expect(sentSince(h, before)).toEqual([
      [MAIN_LINE, PARTY, 'Sam here, I will look into it'],
      [MAIN_LINE, EXPERT, `${SUPERVISOR}: Sam here, I will look into it`],
    ]);
    for (const m of h.fake.messages.slice(before)) expect(m.statusCallback).toBe(`${PUBLIC_URL}/twilio/messaging/status?sessionId=${sessionId}`);

    // The transcript has the text once, from who wrote it; the copies are in the log only.
    const transcript = (await (await h.call('GET', `/sessions/${sessionId}/transcript`)).json()) as { messages: { from: string; body?: string }[] };
    expect(transcript.messages.map((m) => [m.from, m.body])).toEqual([
      [PARTY, 'My order never came'],
      [SUPERVISOR, 'Sam here, I will look into it'],
    ]);
    const lines = log(await h.session(sessionId));
    expect(lines).toContain(`Message from chat member ${SUPERVISOR}: "Sam here, I will look into it"`);
    expect(lines).toContain(`Message ${reply.sid} relayed to ${PARTY}`);
    expect(lines).toContain(`Message ${reply.sid} relayed to ${EXPERT}`);
    const listed = (await (await h.call('GET', '/messages')).json()) as { items: { text: string; sender: string; otherAddress: string }[] };
    expect(listed.items.map((m) => [m.text, m.sender])).toEqual([
      ['Sam here, I will look into it', SUPERVISOR],
      ['My order never came', PARTY],
    ]);
  });

  it('the party’s texts and an agent’s reply reach every member, named; a retried webhook relays nothing twice', async () => {
    const h = await startHarness();
    const sessionId = await chatWithMembers(h);
    let before = h.fake.messages.length;
    const again = await text(h, 'Any news?', PARTY);
    expect(again.sessionId).toBe(sessionId);
    expect(sentSince(h, before)).toEqual([
      [MAIN_LINE, SUPERVISOR, `${PARTY}: Any news?`],
      [MAIN_LINE, EXPERT, `${PARTY}: Any news?`],
    ]);
    before = h.fake.messages.length;
    await text(h, 'Any news?', PARTY, again.sid);
    expect(sentSince(h, before)).toEqual([]);

    expect((await h.call('POST', `/sessions/${sessionId}/messages`, { body: 'It ships today' })).status).toBe(200);
    await h.fake.settled();
    expect(sentSince(h, before)).toEqual([
      [MAIN_LINE, PARTY, 'It ships today'],
      [MAIN_LINE, SUPERVISOR, 'Dana Agent: It ships today'],
      [MAIN_LINE, EXPERT, 'Dana Agent: It ships today'],
    ]);

    // An MMS goes to the members with its media, as their URLs.
    before = h.fake.messages.length;
    await text(h, 'The label', PARTY, undefined, [{ url: 'https://api.twilio.com/media/ME1', contentType: 'image/jpeg' }]);
    expect(h.fake.messages.slice(before).map((m) => [m.to, m.mediaUrls])).toEqual([
      [SUPERVISOR, ['https://api.twilio.com/media/ME1']],
      [EXPERT, ['https://api.twilio.com/media/ME1']],
    ]);
  });

  it('after DeleteChatMember nothing is relayed to the member, and its texts go to its own chat', async () => {
    const h = await startHarness();
    const sessionId = await chatWithMembers(h);
    expect((await fetch(`${h.url}/sessions/${sessionId}/members/${encodeURIComponent(EXPERT)}`, { method: 'DELETE', headers: { cookie: h.cookie, accept: 'application/json' } })).status).toBe(200);
    const before = h.fake.messages.length;
    await text(h, 'Still waiting', PARTY);
    expect(sentSince(h, before)).toEqual([[MAIN_LINE, SUPERVISOR, `${PARTY}: Still waiting`]]);
    const own = await text(h, 'Am I still in?', EXPERT);
    expect(own.sessionId).not.toBe(sessionId);
    expect(await h.session(own.sessionId)).toMatchObject({ channel: 'Chat', fromAddress: EXPERT, toAddress: MAIN_LINE });
    expect(sentSince(h, before).length).toBe(1);
  });

  it('a member Twilio refuses to reach leaves a log line; the text is recorded and the others get it', async () => {
    const h = await startHarness();
    const sessionId = await chatWithMembers(h);
    const { FAULTS } = await import('../support/twilio-fake.js');
    h.fake.inject(FAULTS.optedOut, (r) => r.path === '/Messages.json' && r.form.get('To') === EXPERT);
    const before = h.fake.messages.length;
    const sent = await text(h, 'Hello?', PARTY);
    expect(sent.sessionId).toBe(sessionId);
    expect(sentSince(h, before)).toEqual([[MAIN_LINE, SUPERVISOR, `${PARTY}: Hello?`]]);
    expect(log(await h.session(sessionId)).some((l) => l?.startsWith(`Could not relay message ${sent.sid} to ${EXPERT}: Twilio refused`))).toBe(true);
  });
});

describe('EndSession on a chat', () => {
  it('ends the chat with no Twilio request, is idempotent, and the party’s next text opens a new chat', async () => {
    const h = await startHarness();
    const { sessionId } = await text(h, 'Hi', PARTY);
    const requests = h.fake.requests.length;
    const ended = await fetch(`${h.url}/sessions/${sessionId}`, { method: 'DELETE', headers: { cookie: h.cookie } });
    expect(ended.status).toBe(204);
    const session = await h.session(sessionId);
    expect(session).toMatchObject({ ended: true, callState: 'Disconnected', outcome: 'Completed' });
    expect(session.dateCompleted).toBeDefined();
    expect(log(session).at(-1)).toBe('Ended by Dana Agent');
    const again = await fetch(`${h.url}/sessions/${sessionId}`, { method: 'DELETE', headers: { cookie: h.cookie } });
    expect(again.status).toBe(204);
    expect(log(await h.session(sessionId)).filter((l) => l === 'Ended by Dana Agent')).toHaveLength(1);
    expect(h.fake.requests.length).toBe(requests);

    const next = await text(h, 'Me again', PARTY);
    expect(next.sessionId).not.toBe(sessionId);
    expect(await h.session(next.sessionId)).toMatchObject({ channel: 'Chat', ended: false, fromAddress: PARTY });
  });

  it('an ended chat’s members are no longer routed to it: their texts go to their own chats', async () => {
    const h = await startHarness();
    const sessionId = await chatWithMembers(h);
    expect((await fetch(`${h.url}/sessions/${sessionId}`, { method: 'DELETE', headers: { cookie: h.cookie } })).status).toBe(204);
    const before = h.fake.messages.length;
    const own = await text(h, 'Is it solved?', SUPERVISOR);
    expect(own.sessionId).not.toBe(sessionId);
    expect(sentSince(h, before)).toEqual([]);
  });

  it('another tenant’s chat is the same answer as GET, and stays open', async () => {
    const h = await startHarness();
    const { sessionId } = await text(h, 'Hi', PARTY);
    const get = await fetch(`${h.url}/sessions/${sessionId}`, { headers: { cookie: h.otherCookie, accept: 'application/json' } });
    const end = await fetch(`${h.url}/sessions/${sessionId}`, { method: 'DELETE', headers: { cookie: h.otherCookie, accept: 'application/json' } });
    expect(end.status).toBe(get.status);
    expect((await h.session(sessionId)).ended).toBe(false);
  });
});
