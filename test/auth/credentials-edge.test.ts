import { describe, expect, it, onTestFinished } from 'vitest';
import { ApiKeysRepository } from '../../src/auth/api-keys-repository.js';
import { openStore } from '../../src/store/open-store.js';
import { addApiKey, addUser } from '../support/directory.js';
import { goldenSession } from '../support/fixtures.js';
import { startTestServer } from '../support/server.js';
import { freshDatabaseUrl } from '../support/test-store.js';

const golden = goldenSession();
const PASSWORD = 'correct horse battery';
const basic = (user: string, password: string) => 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64');

async function signIn(url: string, password = PASSWORD, rememberMe = false) {
  return fetch(`${url}/auth/credentials`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userName: 'dana@acme.test', password, rememberMe }),
  });
}
const cookieOf = (res: Response) => res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');

describe('API keys', () => {
  it('lets a machine in with Bearer or as a Basic user name, within its one account, until revoked', async () => {
    const { url, store } = await startTestServer([golden], { auth: { timings: { cacheTtlMs: 0 } } });
    const key = await addApiKey(store, golden.accountId!);
    const bearer = await fetch(`${url}/sessions/${golden.id}`, { headers: { authorization: `Bearer ${key}` } });
    expect(bearer.status).toBe(200);
    const asBasic = await fetch(`${url}/sessions/${golden.id}`, { headers: { authorization: basic(key, '') } });
    expect(asBasic.status).toBe(200);

    const other = await addApiKey(store, 'acct_other');
    const foreign = await fetch(`${url}/sessions/${golden.id}`, { headers: { authorization: `Bearer ${other}` } });
    expect(foreign.status).toBe(403);

    const [record] = await new ApiKeysRepository(store.db).list(golden.accountId);
    await new ApiKeysRepository(store.db).revoke(record!.id, new Date());
    const revoked = await fetch(`${url}/sessions/${golden.id}`, { headers: { authorization: `Bearer ${key}` } });
    expect(revoked.status).toBe(401);
    expect(await revoked.text()).toBe('');
  });

  it('keeps only a hash of the key', async () => {
    const { store } = await startTestServer();
    const key = await addApiKey(store, 'acct_a');
    const rows = await store.db.selectFrom('api_keys').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(key.slice(3));
  });
});

describe('sign-in throttle', () => {
  it('refuses a sixth wrong password with 429 and Retry-After, and lets the user in again when the window ends', async () => {
    let now = new Date('2026-11-27T12:00:00Z');
    const { url, store } = await startTestServer([], { auth: { timings: { now: () => now } } });
    await addUser(store, 'dana@acme.test', ['User'], [], PASSWORD);
    for (let i = 0; i < 5; i++) expect((await signIn(url, 'wrong')).status).toBe(401);
    const throttled = await signIn(url, PASSWORD);
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await throttled.json()).responseStatus.message).toMatch(/^Too many failed sign-in attempts; try again in \d+ seconds$/);
    // Basic is throttled the same way.
    const viaBasic = await fetch(`${url}/auth/status`, { headers: { authorization: basic('dana@acme.test', PASSWORD) } });
    expect(viaBasic.status).toBe(429);

    now = new Date(now.getTime() + 15 * 60_000 + 1000);
    expect((await signIn(url, PASSWORD)).status).toBe(200);
  });

  it('does not lock out the same user from another address', async () => {
    const { store } = await startTestServer();
    const { SignInThrottle } = await import('../../src/auth/sign-in-throttle.js');
    const throttle = new SignInThrottle(store.db);
    const now = new Date();
    for (let i = 0; i < 10; i++) await throttle.reserve('dana@acme.test', '203.0.113.9', now);
    expect(await throttle.reserve('dana@acme.test', '203.0.113.9', now)).toEqual({ retryAfter: 900 });
    expect(await throttle.reserve('dana@acme.test', '198.51.100.7', now)).not.toHaveProperty('retryAfter');
  });
});

describe('sign-in lifetime', () => {
  it('expires a browser sign-in after two weeks and a remembered one after four', async () => {
    let now = new Date('2026-11-27T12:00:00Z');
    const { url, store } = await startTestServer([golden], { auth: { timings: { now: () => now, cacheTtlMs: 0 } } });
    await addUser(store, 'dana@acme.test', ['User'], [golden.accountId!], PASSWORD);
    const temp = cookieOf(await signIn(url));
    const perm = cookieOf(await signIn(url, PASSWORD, true));
    const get = (cookie: string) => fetch(`${url}/sessions/${golden.id}`, { headers: { cookie } }).then((r) => r.status);
    expect([await get(temp), await get(perm)]).toEqual([200, 200]);
    now = new Date(now.getTime() + 15 * 24 * 3600_000);
    expect([await get(temp), await get(perm)]).toEqual([401, 200]);
    now = new Date(now.getTime() + 14 * 24 * 3600_000);
    expect(await get(perm)).toBe(401);
  });

  it('survives a restart: sign-ins live in the database', async () => {
    const path = await freshDatabaseUrl(); // a file on SQLite: what a restart reopens
    const first = await openStore(path);
    const one = await startTestServer([golden], { store: first });
    await addUser(first, 'dana@acme.test', ['User'], [golden.accountId!], PASSWORD);
    const cookie = cookieOf(await signIn(one.url));
    const second = await openStore(path);
    onTestFinished(() => second.close());
    const two = await startTestServer([], { store: second });
    expect((await fetch(`${two.url}/sessions/${golden.id}`, { headers: { cookie } })).status).toBe(200);
    await first.close();
  });
});

describe('refusals as ServiceStack short-circuits them (§7.10)', () => {
  it('answers a missing role with an empty 403 "Invalid Role", and anonymous with an empty 401 and a challenge', async () => {
    const { url, store } = await startTestServer();
    const agent = await addUser(store, 'agent@acme.test', ['User'], [golden.accountId!], PASSWORD);
    const res = await fetch(`${url}/users`, { headers: { authorization: basic(agent.email, PASSWORD) } });
    expect([res.status, res.statusText, await res.text()]).toEqual([403, 'Invalid Role', '']);
    const anonymous = await fetch(`${url}/users`);
    expect([anonymous.status, anonymous.statusText, await anonymous.text()]).toEqual([401, 'Unauthorized', '']);
    expect(anonymous.headers.get('www-authenticate')).toBe('credentials realm="/auth/credentials"');
    const browser = await fetch(`${url}/users`, { headers: { accept: 'text/html' } });
    expect(browser.headers.get('www-authenticate')).toBe('basic realm="/auth/basic"');
  });
});

describe('what real clients and attackers send', () => {
  it.each([
    ['Basic !!!notbase64'],
    ['Basic ' + Buffer.from('no-colon').toString('base64')],
    ['Bearer'],
    ['Bearer ' + 'x'.repeat(5000)],
    ['Negotiate abc'],
    ['Basic'],
  ])('answers Authorization %s with an empty 401 and WWW-Authenticate', async (authorization) => {
    const { url } = await startTestServer([golden]);
    const res = await fetch(`${url}/sessions/${golden.id}`, { headers: { authorization } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/realm="\/auth\/(basic|credentials)"$/);
    expect(await res.text()).toBe('');
  });

  it('ignores junk and oversized cookies (anonymous, so 401), never a 500', async () => {
    const { url } = await startTestServer([golden]);
    for (const cookie of [
      'ss-id=abc; 01 Jan 2100 00:00:00 GMT=null; ss-pid',
      'ss-id=%E0%A4%A; ss-opt=perm; ss-pid=' + 'a'.repeat(200),
      '=; ;;; ss-id',
      'x=' + 'y'.repeat(12_000),
    ]) {
      const res = await fetch(`${url}/sessions/${golden.id}`, { headers: { cookie } });
      expect(res.status).toBe(401);
    }
  });

  it('refuses a header block too large to read with a 4xx', async () => {
    const { url } = await startTestServer([golden]);
    const res = await fetch(`${url}/sessions/${golden.id}`, { headers: { cookie: 'x=' + 'y'.repeat(100_000) } });
    expect(res.status).toBe(431);
  });

  it('answers sign-in bodies of the wrong type or shape with 400', async () => {
    const { url } = await startTestServer();
    for (const [type, body] of [
      ['application/json', '{"userName":'],
      ['application/json', '["dana"]'],
      ['application/json', '{"rememberMe":"perhaps","userName":"a","password":"b"}'],
      ['application/xml', '<Authenticate/>'],
    ]) {
      const res = await fetch(`${url}/auth/credentials`, { method: 'POST', headers: { 'content-type': type! }, body });
      expect(res.status, `${type} ${body}`).toBe(400);
    }
  });

  it('reads the sign-in ids from X-ss-id / X-ss-opt headers too', async () => {
    const { url, store } = await startTestServer([golden]);
    await addUser(store, 'dana@acme.test', ['User'], [golden.accountId!], PASSWORD);
    const id = (await (await signIn(url)).json()).sessionId as string;
    const res = await fetch(`${url}/sessions/${golden.id}`, { headers: { 'x-ss-id': id, 'x-ss-opt': 'temp' } });
    expect(res.status).toBe(200);
  });
});
