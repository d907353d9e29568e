/**
 * Two Switchboard instances on one PostgreSQL (the store's keyed lock): commands on one session
 * sent to different instances reach Twilio one at a time, and two texts from a new party that
 * arrive at different instances open one chat, not two.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { openStore, type Store } from '../../src/store/open-store.js';
import { freshDatabaseUrl } from '../support/test-store.js';
import { ACCOUNT_SID, anotherInstance, eventually, liveConferenceCall, MAIN_LINE, PUBLIC_URL, startHarness } from './support/control-harness.js';

async function storeOn(url: string): Promise<Store> {
  const store = await openStore(url);
  onTestFinished(() => store.close());
  return store;
}

describe('commands on one session through two instances', () => {
  it('a hold racing a hang-up on another instance: Twilio sees them one at a time, and nobody is left held in a live conference', async () => {
    const url = await freshDatabaseUrl();
    const h = await startHarness({}, await storeOn(url));
    const b = await anotherInstance(h, await storeOn(url));
    for (let round = 0; round < 6; round++) {
      const live = await liveConferenceCall(h);
      const from = h.fake.writes.length;
      // The first command to reach Twilio is slow: one on the other instance, not serialised, would overlap it.
      h.fake.inject({ kind: 'delay', ms: 120 }, (r) => r.method === 'POST');
      const hold = () => (round % 2 ? b : h).call('POST', `/sessions/${live.sessionId}/hold`, {});
      const end = () => (round % 2 ? h : b).call('DELETE', `/sessions/${live.sessionId}`);
      const [held, ended] = round % 3 === 0 ? await Promise.all([hold(), end()]) : (await Promise.all([end(), hold()])).reverse();
      await h.fake.settled();
      expect(ended!.status).toBe(204);
      expect([200, 409]).toContain(held!.status);
      const writes = h.fake.writes.slice(from);
      expect(writes.length).toBeGreaterThanOrEqual(1);
      for (let i = 1; i < writes.length; i++) expect(writes[i]!.receivedAt, `round ${round}: ${writes[i]!.path} overlapped ${writes[i - 1]!.path}`).toBeGreaterThanOrEqual(writes[i - 1]!.answeredAt!);
      const after = await eventually(h, live.sessionId, (s) => s.ended === true);
      expect(after).toMatchObject({ ended: true, callState: 'Disconnected' });
      const stranded = [...h.fake.conferences.values()].filter((c) => c.status === 'in-progress' && [...c.participants.values()].some((p) => p.hold));
      expect(stranded).toEqual([]);
    }
  });

  it('an unhold on one instance while the hold taken on the other is not confirmed yet still goes out', async () => {
    const url = await freshDatabaseUrl();
    const h = await startHarness({}, await storeOn(url));
    const b = await anotherInstance(h, await storeOn(url));
    const live = await liveConferenceCall(h);
    h.fake.holdCallbacks = true;
    expect((await h.call('POST', `/sessions/${live.sessionId}/hold`, {})).status).toBe(200);
    expect((await b.call('PATCH', `/sessions/${live.sessionId}/conference/members/${live.callerSid}`, { hold: false })).status).toBe(200);
    expect(h.fake.writes.map((r) => r.form.get('Hold'))).toEqual(['true', 'false']);
    // And a second hold on the first instance compares with that unhold, not with the session.
    expect((await h.call('POST', `/sessions/${live.sessionId}/hold`, {})).status).toBe(200);
    expect(h.fake.writes.map((r) => r.form.get('Hold'))).toEqual(['true', 'false', 'true']);
    await h.fake.flush();
    expect(await eventually(h, live.sessionId, (s) => s.callState === 'Hold')).toMatchObject({ callState: 'Hold' });
  });

  it('two texts from a new party at two instances at once open one chat', async () => {
    const url = await freshDatabaseUrl();
    const h = await startHarness({}, await storeOn(url));
    const b = await anotherInstance(h, await storeOn(url));
    for (let round = 0; round < 5; round++) {
      const from = `+1503555${String(7000 + round)}`;
      const text = (target: string, body: string) =>
        h.fake.deliverTo(target, { accountSid: ACCOUNT_SID, url: `${PUBLIC_URL}/twilio/messaging`, params: textParams(from, body) });
      const statuses = await Promise.all([text(h.url, 'first'), text(b.url, 'second')]);
      expect(statuses).toEqual([200, 200]);
      const sessions = await h.store.db.selectFrom('sessions').select('id').where('from_address', '=', from).execute();
      expect(sessions, `round ${round}`).toHaveLength(1);
    }
  });
});

let next = 0;
function textParams(from: string, body: string): Record<string, string> {
  const sid = `SM${(++next).toString(16).padStart(32, '0')}`;
  return { AccountSid: ACCOUNT_SID, MessageSid: sid, SmsSid: sid, From: from, To: MAIN_LINE, Body: body, NumMedia: '0', SmsStatus: 'received', ApiVersion: '2010-04-01' };
}
