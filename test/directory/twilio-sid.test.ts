/**
 * A Twilio account SID belongs to one Switchboard account (issue 13, finding 1): a Manager of
 * account A who sets B's SID and a token of A's own must neither lose B's callbacks nor receive them.
 */
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { AccountsRepository } from '../../src/directory/accounts-repository.js';
import { openStore } from '../../src/store/open-store.js';
import { deliver } from '../events/support/deliver.js';
import { ACCOUNT_ID, ACCOUNT_SID, AUTH_TOKEN, OTHER_ACCOUNT_ID, OTHER_ACCOUNT_SID, PUBLIC_URL, seedDirectory } from '../events/support/directory-seed.js';
import { SCENARIOS, type Delivery } from '../events/support/scenarios.js';
import { addUser, adminCookie, signInCookie } from '../support/directory.js';
import { startTestServer } from '../support/server.js';
import { freshDatabaseUrl, migrateTo } from '../support/test-store.js';

const answered = SCENARIOS.find((s) => s.name === 'inbound-answered')!;
const voiceWebhook = answered.deliveries[0] as Extract<Delivery, { kind: 'twilio' }>;

/** acct_acme holds ACCOUNT_SID (the victim); acct_other's Manager is the attacker. */
async function tenants() {
  const server = await startTestServer([], { events: { publicUrl: PUBLIC_URL } });
  await seedDirectory(server.store.db);
  const attacker = await signInCookie(server.store, await addUser(server.store, 'mallory@other.test', ['Manager'], [OTHER_ACCOUNT_ID]));
  const send = (method: string, path: string, body: unknown, cookie = attacker) =>
    fetch(server.url + path, { method, headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { ...server, send };
}

describe('a Twilio account SID belongs to one account', () => {
  it('refuses a Manager who sets another account’s SID with a 409 that does not say whose it is', async () => {
    const s = await tenants();
    const res = await s.send('PATCH', `/accounts/${OTHER_ACCOUNT_ID}`, { twilioAccountSid: ACCOUNT_SID, twilioAuthToken: 'mallory-token' });
    expect(res.status).toBe(409);
    const text = await res.text();
    expect(JSON.parse(text).responseStatus).toMatchObject({ errorCode: 'Conflict', message: 'This Twilio account SID is already in use' });
    expect(text).not.toContain(ACCOUNT_ID);
    expect(text).not.toContain('Acme');
    // Nothing changed: the attacker's account keeps its own SID and token.
    const other = await new AccountsRepository(s.store.db).findById(OTHER_ACCOUNT_ID);
    expect(other?.twilioAccountSid).toBe(OTHER_ACCOUNT_SID);
    // Re-saving one's own SID is no conflict.
    expect((await s.send('PATCH', `/accounts/${OTHER_ACCOUNT_ID}`, { twilioAccountSid: OTHER_ACCOUNT_SID })).status).toBe(200);
  });

  it('keeps the victim’s signed callbacks landing in the victim’s account, and refuses the attacker’s', async () => {
    const s = await tenants();
    await s.send('PATCH', `/accounts/${OTHER_ACCOUNT_ID}`, { twilioAccountSid: ACCOUNT_SID, twilioAuthToken: 'mallory-token' });
    expect((await deliver(s.url, voiceWebhook, 'mallory-token')).status).toBe(403);
    expect((await deliver(s.url, voiceWebhook, AUTH_TOKEN)).status).toBe(200);
    const rows = await s.store.db.selectFrom('sessions').select(['account_id']).execute();
    expect(rows).toEqual([{ account_id: ACCOUNT_ID }]);
  });

  it('refuses a SystemAdministrator creating an account with a SID in use, and two accounts racing for one', async () => {
    const s = await tenants();
    const admin = await adminCookie(s.store);
    const res = await s.send('POST', '/accounts', { name: 'Copycat', twilioAccountSid: ACCOUNT_SID }, admin);
    expect(res.status).toBe(409);
    expect(await res.text()).not.toContain(ACCOUNT_ID);
    // The database holds the line when two requests check at once: one wins, the other is a 409, never a 500.
    const racing = await Promise.all(
      ['One', 'Two', 'Three'].map((name) => s.send('POST', '/accounts', { name, twilioAccountSid: 'AC9999999999999999999999999999cccc' }, admin)),
    );
    expect(racing.map((r) => r.status).sort()).toEqual([200, 409, 409]);
    // An empty SID is no SID: any number of accounts may have none.
    for (const name of ['Blank 1', 'Blank 2']) expect((await s.send('POST', '/accounts', { name, twilioAccountSid: '' }, admin)).status).toBe(200);
  });

  it('refuses `switchboard account add --twilio-sid` with a SID in use', async () => {
    const db = await freshDatabaseUrl();
    const err: string[] = [];
    const run = (...argv: string[]) => main([...argv, '--database', db], {}, { out: () => {}, err: (l) => err.push(l) });
    expect(await run('account', 'add', 'Acme', '--id', 'acct_one', '--twilio-sid', ACCOUNT_SID)).toBe(0);
    expect(await run('account', 'add', 'Copycat', '--twilio-sid', ACCOUNT_SID)).toBe(2);
    expect(err).toEqual(['account: this Twilio account SID is already in use']);
    const store = await openStore(db);
    try {
      expect(await store.db.selectFrom('accounts').select('id').execute()).toHaveLength(1);
    } finally {
      await store.close();
    }
  });
});

describe('migration 013 on a database that already holds a SID twice', () => {
  it('clears it on every holder (its callbacks are refused until set again, never misrouted) and keeps the others', async () => {
    const store = await openStore(await freshDatabaseUrl(), { indexInBackground: false });
    try {
      await store.migrate();
      await migrateTo(store, '011-stream-changes');
      const stamp = '2026-01-01T00:00:00.000Z';
      const row = (id: string, sid: string | null) => ({ id, name: id, parent_account_id: null, twilio_account_sid: sid, twilio_auth_token: null, twilio_auth_token_secondary: null, date_created: stamp, date_last_modified: stamp });
      await store.db.insertInto('accounts').values([row('victim', ACCOUNT_SID), row('taker', ACCOUNT_SID), row('alone', OTHER_ACCOUNT_SID), row('blank1', ''), row('blank2', '')]).execute();
      await store.migrate();
      const sids = await store.db.selectFrom('accounts').select(['id', 'twilio_account_sid']).orderBy('id').execute();
      expect(sids).toEqual([
        { id: 'alone', twilio_account_sid: OTHER_ACCOUNT_SID },
        { id: 'blank1', twilio_account_sid: null },
        { id: 'blank2', twilio_account_sid: null },
        { id: 'taker', twilio_account_sid: null },
        { id: 'victim', twilio_account_sid: null },
      ]);
    } finally {
      await store.close();
    }
  });
});
