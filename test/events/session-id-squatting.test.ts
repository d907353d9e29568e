/**
 * No tenant can make another tenant's events fail (issue 13, finding 3). The attacker, a Manager
 * of another account with its own API key, pre-creates every id the victim's next call and chat
 * could get by the formula anyone can read (docs/events.md used to publish it), and aims neutral
 * events at the victim's existing sessions; the victim's events still land, in the victim's account.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deliver } from './support/deliver.js';
import { ACCOUNT_ID, ACCOUNT_SID, OTHER_ACCOUNT_ID, OTHER_ACCOUNT_SID, OTHER_TOKEN, PUBLIC_URL, seedDirectory } from './support/directory-seed.js';
import { SCENARIOS, type Delivery } from './support/scenarios.js';
import { SessionIds } from '../../src/events/session-id.js';
import { addApiKey } from '../support/directory.js';
import { openTestStore } from '../support/test-store.js';
import { startTestServer } from '../support/server.js';

const call = SCENARIOS.find((s) => s.name === 'inbound-answered')!;
const chat = SCENARIOS.find((s) => s.name === 'chat-neutral')!;
const CALL_SID = (call.deliveries[0] as Extract<Delivery, { kind: 'twilio' }>).params.CallSid!;
const CHAT_KEY = 'conv-7f3a';

/** Every id an outsider can compute for the victim's call and chat: the published hash, for either account. */
const guessable = [ACCOUNT_ID, OTHER_ACCOUNT_ID].flatMap((account) =>
  [`twilio\n${CALL_SID}`, `webchat\n${CHAT_KEY}`].map((key) => createHash('sha256').update(`${account}\n${key}`).digest('hex').slice(0, 24)),
);

async function setup() {
  const server = await startTestServer([], { events: { publicUrl: PUBLIC_URL } });
  await seedDirectory(server.store.db);
  const victim = `Bearer ${await addApiKey(server.store, ACCOUNT_ID, ['Manager'])}`;
  const attacker = `Bearer ${await addApiKey(server.store, OTHER_ACCOUNT_ID, ['Manager'])}`;
  const post = async (authorization: string, events: Record<string, unknown>[]) => {
    const res = await fetch(`${server.url}/sessions/events`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json' },
      body: JSON.stringify({ events }),
    });
    return { status: res.status, body: await res.text() };
  };
  const started = (n: number, target: Record<string, string>) => ({ id: `squat-${n}`, source: 'squatter', type: 'SessionStarted', occurredAt: '2026-11-27T14:00:00Z', data: { channel: 'Chat' }, ...target });
  return { ...server, victim, attacker, post, started };
}

describe('session ids cannot be squatted', () => {
  it('derives ids with a secret of the installation: stable on one, unrelated on another', async () => {
    const [one, other] = [await openTestStore(), await openTestStore()];
    await one.db.deleteFrom('installation_secrets').execute();
    await other.db.deleteFrom('installation_secrets').execute();
    const id = (store: typeof one) => new SessionIds(store.db).forKey(ACCOUNT_ID, 'twilio', CALL_SID);
    expect(await id(one)).toMatch(/^[0-9a-f]{24}$/);
    expect(await id(one)).toBe(await id(one));
    expect(await id(one)).not.toBe(await id(other));
    expect(guessable).not.toContain(await id(one));
  });

  it('keeps the victim’s call and chat landing in the victim’s account after the attacker claims every id it can compute', async () => {
    const s = await setup();
    // The attacker claims the ids by name (even the real ones, as if leaked) and by its own
    // sessionKeys; neither may take them: a sessionId never creates a session.
    for (const [n, sessionId] of [...guessable, call.sessionId, chat.sessionId].entries()) {
      expect((await s.post(s.attacker, [s.started(n, { sessionId })])).status).toBe(400);
    }
    await s.post(s.attacker, [s.started(10, { source: 'twilio', sessionKey: CALL_SID }), s.started(11, { source: 'webchat', sessionKey: CHAT_KEY })]);
    for (const d of [...call.deliveries, ...chat.deliveries]) {
      const res = await deliver(s.url, d, undefined, s.victim);
      expect(res.status, await res.clone().text()).toBeLessThan(300);
    }
    const victims = await s.store.db.selectFrom('sessions').select(['id', 'account_id', 'channel']).where('account_id', '=', ACCOUNT_ID).execute();
    expect(victims.map((r) => r.channel).sort()).toEqual(['Chat', 'Voice']);
    expect(victims.map((r) => r.id)).toEqual(expect.arrayContaining([call.sessionId, chat.sessionId]));
    // Derived ids are keyed per installation: none of them is the published hash.
    for (const row of victims) expect(guessable).not.toContain(row.id);
    const attackers = await s.store.db.selectFrom('sessions').select('id').where('account_id', '=', OTHER_ACCOUNT_ID).execute();
    expect(attackers.map((r) => r.id)).not.toEqual(expect.arrayContaining([call.sessionId]));
    for (const row of attackers) expect([call.sessionId, chat.sessionId]).not.toContain(row.id);
  });

  it('answers an event naming another account’s session exactly as one naming a missing session', async () => {
    const s = await setup();
    for (const d of call.deliveries) await deliver(s.url, d, undefined, s.victim);
    const foreign = await s.post(s.attacker, [s.started(1, { sessionId: call.sessionId })]);
    const missing = await s.post(s.attacker, [s.started(1, { sessionId: 'f'.repeat(24) })]);
    expect(foreign.status).toBe(400);
    expect(foreign.body.replaceAll(call.sessionId, '<id>')).toBe(missing.body.replaceAll('f'.repeat(24), '<id>'));
    // And the victim's own events still land in its session.
    const victimLine = { id: 'v1', source: 'crm', sessionId: call.sessionId, type: 'LogAppended', occurredAt: '2026-11-27T14:10:00Z', data: { message: 'noted' } };
    expect((await s.post(s.victim, [victimLine])).status).toBe(200);
  });

  it('keeps the victim’s callbacks landing when the attacker’s own Twilio callbacks first claim the names the victim’s app uses', async () => {
    const s = await setup();
    // Conference named by the victim's voice app ('support-room-1'), and a leg sent to a session by
    // `?sessionId=`: the attacker, with its own SID and token, names them first.
    const conference = (accountSid: string, sequence: number) => ({
      AccountSid: accountSid,
      ConferenceSid: `CF${'0'.repeat(31)}${sequence}`,
      FriendlyName: 'support-room-1',
      StatusCallbackEvent: 'conference-start',
      SequenceNumber: '1',
    });
    const leg = (accountSid: string, callSid: string) => ({ AccountSid: accountSid, CallSid: callSid, CallStatus: 'ringing', Direction: 'outbound-api', From: '+15035550000', To: '+15035557777' });
    type Twilio = Extract<Delivery, { kind: 'twilio' }>;
    const twilio = (path: string, params: Record<string, string>): Twilio => ({ kind: 'twilio', path: path as Twilio['path'], params, at: '2026-11-27T14:00:00Z' });
    const attackerSays = async (path: string, query: string | undefined, params: Record<string, string>) =>
      deliver(s.url, { ...twilio(path, params), query }, OTHER_TOKEN);
    expect((await attackerSays('/twilio/conference/status', undefined, conference(OTHER_ACCOUNT_SID, 1))).status).toBe(204);
    expect((await attackerSays('/twilio/voice/status', 'sessionId=order-42', leg(OTHER_ACCOUNT_SID, `CA${'a'.repeat(32)}`))).status).toBe(204);

    expect((await deliver(s.url, twilio('/twilio/conference/status', conference(ACCOUNT_SID, 2)))).status).toBe(204);
    expect((await deliver(s.url, { ...twilio('/twilio/voice/status', leg(ACCOUNT_SID, `CA${'b'.repeat(32)}`)), query: 'sessionId=order-42' })).status).toBe(204);
    const byAccount = await s.store.db.selectFrom('session_events').select(['account_id', 'session_id']).orderBy('seq').execute();
    expect(byAccount.filter((e) => e.account_id === ACCOUNT_ID)).toHaveLength(2);
    // The victim's events are in sessions of its own, not the attacker's.
    const attackers = new Set(byAccount.filter((e) => e.account_id === OTHER_ACCOUNT_ID).map((e) => e.session_id));
    for (const e of byAccount.filter((e) => e.account_id === ACCOUNT_ID)) expect(attackers.has(e.session_id)).toBe(false);
  });
});
