/**
 * Chat and SMS (issue 18) against the local Twilio fake over real HTTP: inbound texts and MMS open
 * and continue chat sessions, sends go out from the session's number and their delivery follows
 * Twilio's status callbacks (out of order and twice), transcripts (with earlier chats), lists,
 * members, and Twilio's refusals.
 */
import { JsonServiceClient } from '@servicestack/client';
import { describe, expect, it } from 'vitest';
import { sessionWriter } from '../../src/events/session-writer.js';
import type { SessionInfo } from '../../src/model/session-info.js';
import { ACCOUNT_ID, ACCOUNT_SID, CALLER_NUMBER, MAIN_LINE, PASSWORD, PUBLIC_URL, liveConferenceCall, startHarness, type Harness } from '../control/support/control-harness.js';
import { GetChatTranscript, SendMessage } from './support/messaging-client-dtos.js';
import { FAULTS, deadUrl } from '../support/twilio-fake.js';

const SMS_URL = `${PUBLIC_URL}/twilio/messaging`;
const PARTY = '+15035557777';
const CELL = '+15035558888';

const log = (session: SessionInfo) => (session.log ?? []).map((l) => l.message);
const ledgerSize = async (h: Harness) => Number((await h.store.db.selectFrom('session_events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

/** The chat session a text went into, as the ledger recorded it. */
async function sessionOfText(h: Harness, sid: string): Promise<string> {
  const row = await h.store.db.selectFrom('session_events').select('session_id').where('dedupe_key', '=', `twilio:message:${sid}`).executeTakeFirstOrThrow();
  return row.session_id;
}

async function text(h: Harness, body: string, from = PARTY, media?: { url: string; contentType: string }[]) {
  const sent = await h.fake.receiveText(ACCOUNT_SID, SMS_URL, { from, to: MAIN_LINE, body, media });
  expect(sent.status).toBe(200);
  return { sid: sent.sid, sessionId: await sessionOfText(h, sent.sid) };
}

interface Transcript {
  messages: { date: string; from: string; body?: string; mediaUri?: string; mediaContentType?: string }[];
}

describe('inbound texts', () => {
  it('a text opens a chat session on the endpoint owning the number; an MMS keeps its media; a second text continues it', async () => {
    const h = await startHarness();
    const first = await text(h, 'Is my order shipped?');
    const session = await h.session(first.sessionId);
    expect(session).toMatchObject({ channel: 'Chat', direction: 'Incoming', fromAddress: PARTY, toAddress: MAIN_LINE, endpointId: 'ep_main_line', endpointName: 'Main line', customerId: 'cust_west', callState: 'Connected', ended: false });
    expect(log(session)).toEqual([`Incoming chat from ${PARTY} to ${MAIN_LINE}`, `Message from ${PARTY}: "Is my order shipped?"`]);

    const mms = await text(h, 'Here is the label', PARTY, [
      { url: 'https://api.twilio.com/media/ME1', contentType: 'image/jpeg' },
      { url: 'https://api.twilio.com/media/ME2', contentType: 'image/png' },
    ]);
    expect(mms.sessionId).toBe(first.sessionId);
    const transcript = (await (await h.call('GET', `/sessions/${first.sessionId}/transcript`)).json()) as Transcript;
    expect(transcript.messages.map(({ from, body, mediaUri, mediaContentType }) => ({ from, body, mediaUri, mediaContentType }))).toEqual([
      { from: PARTY, body: 'Is my order shipped?', mediaUri: undefined, mediaContentType: undefined },
      { from: PARTY, body: 'Here is the label', mediaUri: 'https://api.twilio.com/media/ME1', mediaContentType: 'image/jpeg' },
      { from: PARTY, body: undefined, mediaUri: 'https://api.twilio.com/media/ME2', mediaContentType: 'image/png' },
    ]);
    expect(log(await h.session(first.sessionId))).toContain(`Message from ${PARTY}: "Here is the label" (2 media: image/jpeg, image/png)`);
  });

  it('a retried webhook changes nothing, and a bad signature is a 403 with nothing stored', async () => {
    const h = await startHarness();
    const first = await text(h, 'Hello');
    const before = await h.session(first.sessionId);
    const size = await ledgerSize(h);
    const again = await h.fake.receiveText(ACCOUNT_SID, SMS_URL, { from: PARTY, to: MAIN_LINE, body: 'Hello', sid: first.sid });
    expect(again.status).toBe(200);
    expect(await ledgerSize(h)).toBe(size);
    expect(await h.session(first.sessionId)).toEqual(before);

    const forged = await fetch(`${h.url}/twilio/messaging`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'bm90IGEgc2lnbmF0dXJl' },
      body: new URLSearchParams({ AccountSid: ACCOUNT_SID, MessageSid: 'SM' + 'a'.repeat(32), From: PARTY, To: MAIN_LINE, Body: 'forged', NumMedia: '0' }).toString(),
    });
    expect(forged.status).toBe(403);
    expect(await ledgerSize(h)).toBe(size);
  });

  it('the text is in the session log, so the log search finds the session', async () => {
    const h = await startHarness();
    const { sessionId } = await text(h, 'my parcel went to Quixotic Lane');
    const found = (await (await h.call('GET', `/sessions?accountIds=${ACCOUNT_ID}&log=quixotic`)).json()) as { items: SessionInfo[] };
    expect(found.items.map((s) => s.id)).toEqual([sessionId]);
  });
});

describe('outbound texts', () => {
  it('a reply goes from the session’s number, returns MessageInfo at once, and delivered before sent (twice) stays delivered', async () => {
    const h = await startHarness();
    const { sessionId } = await text(h, 'Where is my refund?');
    h.fake.holdCallbacks = true;
    const res = await h.call('POST', `/sessions/${sessionId}/messages`, { body: 'On my way' });
    expect(res.status).toBe(200);
    const info = (await res.json()) as Record<string, unknown>;
    const [sent] = h.fake.messages;
    expect(sent).toMatchObject({ accountSid: ACCOUNT_SID, from: MAIN_LINE, to: PARTY, body: 'On my way', statusCallback: `${PUBLIC_URL}/twilio/messaging/status?sessionId=${sessionId}` });
    expect(info).toEqual({
      id: sent!.sid,
      accountId: ACCOUNT_ID,
      customerId: 'cust_west',
      endpointId: 'ep_main_line',
      endpointDisplayName: 'Main line',
      date: expect.any(String),
      direction: 'Outgoing',
      otherAddress: PARTY,
      sender: 'Dana Agent',
      text: 'On my way',
      isUnread: false,
    });
    const callbacks = h.fake.pending.splice(0);
    expect(callbacks.map((c) => c.params.MessageStatus)).toEqual(['sent', 'delivered']);
    for (const callback of [callbacks[1]!, callbacks[0]!, callbacks[1]!, callbacks[0]!]) expect(await h.fake.deliver(callback)).toBe(204);
    const lines = log(await h.session(sessionId));
    expect(lines).toContain(`Message to ${PARTY} by Dana Agent: "On my way"`);
    expect(lines.filter((l) => l?.startsWith(`Message ${sent!.sid}`))).toEqual([`Message ${sent!.sid} delivered`]);
    expect(lines).toContain(`Ignored sent for message ${sent!.sid}: it is already delivered`);
  });

  it('a JsonServiceClient sends by endpoint and address, reads the transcript, and removes a member by path only', async () => {
    const h = await startHarness();
    const client = new JsonServiceClient(h.url);
    client.setCredentials('dana@acme.test', PASSWORD);
    const sent = await client.post(new SendMessage({ endpointId: 'ep_main_line', toAddress: CELL, body: 'Your order shipped' }));
    expect(sent).toMatchObject({ direction: 'Outgoing', otherAddress: CELL, text: 'Your order shipped' });
    const sessionId = await sessionOfText(h, sent.id!);
    await text(h, 'Thanks!', CELL);
    const transcript = await client.get(new GetChatTranscript({ sessionId }));
    expect(transcript.messages?.map((m) => [m.from, m.body])).toEqual([
      [MAIN_LINE, 'Your order shipped'],
      [CELL, 'Thanks!'],
    ]);
    await client.post(new SendMessage({ sessionId, body: 'You are welcome' }));
    await h.call('POST', `/sessions/${sessionId}/members`, { memberToAdd: 'client:lee' });
    const after = await client.delete<SessionInfo>(`/sessions/${sessionId}/members/${encodeURIComponent('client:lee')}`);
    expect(after.members?.find((m) => m.identity === 'client:lee')?.callState).toBe('None');
    await h.fake.settled();
  });

  it('POST /messages by endpoint and address opens an outgoing chat, which the party’s answer continues', async () => {
    const h = await startHarness();
    const res = await h.call('POST', '/messages', { endpointId: 'ep_main_line', toAddress: CELL, body: 'Your table is ready' });
    expect(res.status).toBe(200);
    const info = (await res.json()) as { id: string; direction: string; otherAddress: string };
    expect(info).toMatchObject({ direction: 'Outgoing', otherAddress: CELL });
    expect(h.fake.messages[0]).toMatchObject({ from: MAIN_LINE, to: CELL });
    const sessionId = await sessionOfText(h, info.id);
    await h.fake.settled();
    expect(await h.session(sessionId)).toMatchObject({ channel: 'Chat', direction: 'Outgoing', fromAddress: MAIN_LINE, toAddress: CELL, endpointId: 'ep_main_line' });
    const answer = await text(h, 'Coming!', CELL);
    expect(answer.sessionId).toBe(sessionId);
    const again = (await (await h.call('POST', '/messages', { endpointId: 'ep_main_line', toAddress: CELL, body: 'See you' })).json()) as { id: string };
    expect(await sessionOfText(h, again.id)).toBe(sessionId);
    await h.fake.settled();
  });

  it('lists messages both ways, newest first, and conversations with their latest text; another tenant sees none', async () => {
    const h = await startHarness();
    const { sessionId } = await text(h, 'Hi there');
    await h.call('POST', `/sessions/${sessionId}/messages`, { body: 'Hello! How can we help?' });
    await h.fake.settled();
    await text(h, 'Another question', CELL);
    const list = (await (await h.call('GET', '/messages')).json()) as { items: { text: string; direction: string; isUnread: boolean }[]; totalCount: number };
    expect(list.totalCount).toBe(3);
    expect(list.items.map((m) => [m.text, m.direction, m.isUnread])).toEqual([
      ['Another question', 'Incoming', true],
      ['Hello! How can we help?', 'Outgoing', false],
      ['Hi there', 'Incoming', false],
    ]);
    const paged = (await (await h.call('GET', '/messages?countPerPage=1&page=1')).json()) as { items: { text: string }[]; hasMorePages: boolean };
    expect(paged).toMatchObject({ items: [{ text: 'Hello! How can we help?' }], hasMorePages: true });
    const conversations = (await (await h.call('GET', '/conversations')).json()) as { conversations: { id: string; otherAddress: string; mostRecentMessage: { text: string } }[] };
    expect(conversations.conversations.map((c) => [c.otherAddress, c.mostRecentMessage.text])).toEqual([
      [CELL, 'Another question'],
      [PARTY, 'Hello! How can we help?'],
    ]);
    const one = (await (await h.call('GET', `/messages?conversationIds=${conversations.conversations[1]!.id}`)).json()) as { items: { text: string }[] };
    expect(one.items.map((m) => m.text)).toEqual(['Hello! How can we help?', 'Hi there']);
    const other = await fetch(`${h.url}/messages`, { headers: { cookie: h.otherCookie, accept: 'application/json' } });
    expect(((await other.json()) as { items: unknown[] }).items).toEqual([]);
    const foreign = await fetch(`${h.url}/messages?accountIds=${ACCOUNT_ID}`, { headers: { cookie: h.otherCookie, accept: 'application/json' } });
    expect(foreign.status).toBe(403);
  });
});

describe('transcripts', () => {
  it('includes earlier chats with the same party when asked, back to a cut-off of at most 6 months', async () => {
    const h = await startHarness();
    const first = await text(h, 'First visit');
    // The first chat ends (as an agent closing it would); the party's next text opens a new one.
    await sessionWriter(h.store).write([{ accountId: ACCOUNT_ID, sessionId: first.sessionId, dedupeKey: 'test:end', source: 'test', occurredAt: new Date().toISOString(), sequence: null, actor: null, event: { type: 'SessionEnded' } }]);
    const second = await text(h, 'Back again');
    expect(second.sessionId).not.toBe(first.sessionId);
    const bodies = async (query: string) => ((await (await h.call('GET', `/sessions/${second.sessionId}/transcript${query}`)).json()) as Transcript).messages.map((m) => m.body);
    expect(await bodies('')).toEqual(['Back again']);
    expect(await bodies('?includeHistorical=true')).toEqual(['First visit', 'Back again']);
    const fiveMonths = new Date();
    fiveMonths.setUTCMonth(fiveMonths.getUTCMonth() - 5);
    expect(await bodies(`?includeHistorical=true&historicalCutOffDate=${fiveMonths.toISOString().slice(0, 10)}`)).toEqual(['First visit', 'Back again']);
    const tooOld = new Date();
    tooOld.setUTCMonth(tooOld.getUTCMonth() - 7);
    const refused = await h.call('GET', `/sessions/${second.sessionId}/transcript?includeHistorical=true&historicalCutOffDate=${tooOld.toISOString().slice(0, 10)}`);
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { responseStatus: { errors: { fieldName: string }[] } }).responseStatus.errors[0]!.fieldName).toBe('HistoricalCutOffDate');
  });

  it('chat operations on a voice session are a 400; on another tenant’s session the same 403 as GET', async () => {
    const h = await startHarness();
    const live = await liveConferenceCall(h);
    for (const [method, path, body] of [
      ['GET', `/sessions/${live.sessionId}/transcript`, undefined],
      ['POST', `/sessions/${live.sessionId}/messages`, { body: 'hi' }],
      ['POST', `/sessions/${live.sessionId}/members`, { memberToAdd: CELL }],
      ['DELETE', `/sessions/${live.sessionId}/members/${CALLER_NUMBER}`, undefined],
    ] as const) {
      const res = await h.call(method, path, body);
      expect(res.status, `${method} ${path}`).toBe(400);
      expect(((await res.json()) as { responseStatus: { errors: { errorCode: string }[] } }).responseStatus.errors[0]!.errorCode).toBe('InvalidChannel');
    }
    const { sessionId } = await text(h, 'private');
    const asOther = (method: string, path: string) => fetch(h.url + path, { method, headers: { cookie: h.otherCookie, accept: 'application/json', 'content-type': 'application/json' }, body: method === 'GET' ? undefined : JSON.stringify({ body: 'x', memberToAdd: CELL }) });
    const get = await asOther('GET', `/sessions/${sessionId}`);
    for (const [method, path] of [
      ['GET', `/sessions/${sessionId}/transcript`],
      ['POST', `/sessions/${sessionId}/messages`],
      ['POST', `/sessions/${sessionId}/members`],
      ['GET', '/sessions/no-such-session/transcript'],
    ] as const) {
      expect((await asOther(method, path)).status, `${method} ${path}`).toBe(get.status);
    }
    expect(h.fake.messages).toEqual([]);
  });
});

describe('members', () => {
  it('a cell number is texted an invitation, a user joins, and DELETE with the member in the path only removes them', async () => {
    const h = await startHarness();
    const { sessionId } = await text(h, 'I need a supervisor');
    const invited = await h.call('POST', `/sessions/${sessionId}/members`, { memberToAdd: CELL });
    expect(invited.status).toBe(200);
    expect(h.fake.messages).toMatchObject([{ from: MAIN_LINE, to: CELL, body: `You are invited to a conversation with ${PARTY}. Reply to this number to join.` }]);
    const joined = (await (await h.call('POST', `/sessions/${sessionId}/members`, { memberToAdd: 'dana@acme.test' })).json()) as SessionInfo;
    expect(joined.members?.map((m) => [m.identity, m.displayName, m.role, m.callState])).toEqual([
      [CELL, CELL, 'Transfer', 'Connected'],
      ['client:dana', 'Dana Agent', 'Agent', 'Connected'],
    ]);
    expect(joined.answeredByName).toBe('Dana Agent');

    // As clients send it: the member in the path, no query, no body.
    const removed = await fetch(`${h.url}/sessions/${sessionId}/members/${encodeURIComponent(CELL)}`, { method: 'DELETE', headers: { cookie: h.cookie, accept: 'application/json' } });
    expect(removed.status).toBe(200);
    const after = (await removed.json()) as SessionInfo;
    expect(after.members?.find((m) => m.identity === CELL)?.callState).toBe('None');
    expect(log(after)).toContain(`${CELL} left`);

    const mismatch = await h.call('DELETE', `/sessions/${sessionId}/members/client:dana?memberToRemove=${encodeURIComponent(CELL)}`);
    expect(mismatch.status).toBe(400);
    const notMember = await h.call('DELETE', `/sessions/${sessionId}/members/nobody@example.com`);
    expect(notMember.status).toBe(400);
    const byQuery = await h.call('DELETE', `/sessions/${sessionId}/members/client:dana?memberToRemove=client:dana`);
    expect(byQuery.status).toBe(200);
    await h.fake.settled();
  });
});

describe('Twilio refusals', () => {
  it('opt-out and invalid number are 400s with the Twilio code in meta, and nothing is recorded', async () => {
    const h = await startHarness();
    const { sessionId } = await text(h, 'STOP?');
    const size = await ledgerSize(h);
    for (const [fault, code] of [
      [FAULTS.optedOut, '21610'],
      [FAULTS.invalidTo, '21211'],
    ] as const) {
      h.fake.inject(fault, (r) => r.path === '/Messages.json');
      const res = await h.call('POST', `/sessions/${sessionId}/messages`, { body: 'hello?' });
      expect(res.status).toBe(400);
      const { responseStatus } = (await res.json()) as { responseStatus: { errorCode: string; meta: Record<string, string> } };
      expect(responseStatus.errorCode).toBe('TelephonyRejected');
      expect(responseStatus.meta.twilioCode).toBe(code);
    }
    expect(await ledgerSize(h)).toBe(size);
  });

  it('Twilio unreachable is a 503 and nothing is recorded', async () => {
    const h = await startHarness({ twilioApiUrl: await deadUrl() });
    const size = await ledgerSize(h);
    const down = await h.call('POST', '/messages', { endpointId: 'ep_main_line', toAddress: CELL, body: 'anyone?' });
    expect(down.status).toBe(503);
    expect(((await down.json()) as { responseStatus: { errorCode: string } }).responseStatus.errorCode).toBe('TelephonyUnavailable');
    expect(await ledgerSize(h)).toBe(size);
  });
});
