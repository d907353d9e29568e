import { JsonServiceClient } from '@servicestack/client';
import { describe, expect, it } from 'vitest';
import { Authenticate, GetAuthStatus, GetSession } from '../support/client-dtos.js';
import { addAccount, addUser } from '../support/directory.js';
import { goldenSession } from '../support/fixtures.js';
import { startTestServer } from '../support/server.js';

const golden = goldenSession();
const PASSWORD = 'correct horse battery';

/** A server with the golden session, its account, and Dana (a User of that account) who can sign in. */
async function acme() {
  const server = await startTestServer([golden]);
  await addAccount(server.store, golden.accountId!, golden.accountName!);
  const dana = await addUser(server.store, 'dana@acme.test', ['User'], [golden.accountId!], PASSWORD);
  return { ...server, dana };
}

const statusOf = (error: unknown) => (error as { responseStatus: { errorCode: string; message: string } }).responseStatus;

describe('signing in with @servicestack/client', () => {
  it('signs in with credentials, then the cookies carry the sign-in', async () => {
    const { url, dana } = await acme();
    const client = new JsonServiceClient(url);
    const auth = await client.post(new Authenticate({ provider: 'credentials', userName: 'Dana@Acme.test', password: PASSWORD }));
    expect(auth).toMatchObject({ userId: dana.id, userName: 'dana@acme.test', displayName: 'dana@acme.test', roles: ['User'], authProvider: 'credentials' });
    expect(Object.keys(client.cookies)).toEqual(expect.arrayContaining(['ss-id', 'ss-pid', 'ss-opt']));
    expect(auth.sessionId).toBe(client.cookies['ss-id']!.value);

    // The client's jar also holds the junk cookie it makes of `expires=Fri, 01 Jan …` (§3.3), and sends it.
    expect(Object.keys(client.cookies).some((name) => /\d{4} [\d:]{8} GMT/.test(name))).toBe(true);
    const session = await client.get(new GetSession({ sessionId: golden.id }));
    expect(session.id).toBe(golden.id);
    const status = await client.get(new GetAuthStatus());
    expect(status).toMatchObject({ id: dana.id, isAuthenticated: true, accountIds: [golden.accountId], accountNames: [golden.accountName] });
  });

  it('sets ServiceStack\'s cookie attributes, and new ids at every sign-in', async () => {
    const { url } = await acme();
    const signIn = async (cookie?: string) => {
      const res = await fetch(`${url}/auth/credentials`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
        body: JSON.stringify({ userName: 'dana@acme.test', password: PASSWORD, rememberMe: true }),
      });
      expect(res.status).toBe(200);
      return res.headers.getSetCookie();
    };
    const first = await signIn();
    expect(first[0]).toMatch(/^ss-id=[A-Za-z0-9=]{20}; path=\/; samesite=lax; httponly$/);
    expect(first[1]).toMatch(/^ss-pid=[A-Za-z0-9=]{20}; expires=\w{3}, \d\d \w{3} \d{4} [\d:]{8} GMT; path=\/; samesite=lax; httponly$/);
    expect(first[2]).toMatch(/^ss-opt=perm; expires=.* GMT; path=\/; samesite=lax; httponly$/);
    const cookie = first.map((c) => c.split(';')[0]).join('; ');
    const second = await signIn(cookie);
    expect(second[1]!.split(';')[0]).not.toBe(first[1]!.split(';')[0]);
    // The id presented before signing in again is gone: no fixation.
    const old = await fetch(`${url}/sessions/${golden.id}`, { headers: { cookie } });
    expect(old.status).toBe(401);
  });

  it('signs out: the sign-in ends and the cookies are deleted', async () => {
    const { url } = await acme();
    const client = new JsonServiceClient(url);
    await client.post(new Authenticate({ provider: 'credentials', userName: 'dana@acme.test', password: PASSWORD }));
    const cookie = `ss-id=${client.cookies['ss-id']!.value}`;
    const res = await fetch(`${url}/auth/logout`, { headers: { cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.getSetCookie().map((c) => c.split(';')[0])).toEqual(['ss-id=', 'ss-pid=', 'ss-opt=']);
    expect(res.headers.getSetCookie()[0]).toMatch(/expires=.* GMT/);
    const after = await fetch(`${url}/sessions/${golden.id}`, { headers: { cookie } });
    expect(after.status).toBe(401);
  });

  it('authenticates every request with Basic via setCredentials', async () => {
    const { url } = await acme();
    const client = new JsonServiceClient(url);
    client.setCredentials('dana@acme.test', PASSWORD);
    expect((await client.get(new GetSession({ sessionId: golden.id }))).accountId).toBe(golden.accountId);
    client.setCredentials('dana@acme.test', 'wrong password');
    const error = await client.get(new GetSession({ sessionId: golden.id })).catch((e: unknown) => e);
    expect(statusOf(error)).toEqual({ errorCode: '401', message: 'Unauthorized' });
  });

  it('answers a wrong password with 401 "Invalid Username or Password" and a blank one with 400', async () => {
    const { url } = await acme();
    const client = new JsonServiceClient(url);
    const wrong = await client.post(new Authenticate({ provider: 'credentials', userName: 'dana@acme.test', password: 'nope' })).catch((e: unknown) => e);
    expect(statusOf(wrong)).toMatchObject({ errorCode: 'Unauthorized', message: 'Invalid Username or Password' });
    const unknown = await client.post(new Authenticate({ provider: 'credentials', userName: 'nobody@acme.test', password: 'nope' })).catch((e: unknown) => e);
    expect(statusOf(unknown)).toMatchObject({ errorCode: 'Unauthorized', message: 'Invalid Username or Password' });
    const blank = await client.post(new Authenticate({ provider: 'credentials', userName: 'dana@acme.test' })).catch((e: unknown) => e);
    expect(statusOf(blank)).toMatchObject({ errorCode: 'ValidationException', message: "'Password' must not be empty." });
  });

  it('accepts PascalCase bodies, form posts and the login alias', async () => {
    const { url } = await acme();
    const pascal = await fetch(`${url}/auth`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ Provider: 'credentials', UserName: 'dana@acme.test', Password: PASSWORD }),
    });
    expect(pascal.status).toBe(200);
    const form = await fetch(`${url}/auth/login`, {
      method: 'POST',
      body: new URLSearchParams({ userName: 'dana@acme.test', password: PASSWORD }),
    });
    expect(form.status).toBe(200);
    expect((await form.json()).userName).toBe('dana@acme.test');
  });

  it('answers GET /auth with the current sign-in, 401 when anonymous, 404 for an unknown provider', async () => {
    const { url } = await acme();
    expect((await fetch(`${url}/auth`)).status).toBe(401);
    const signIn = await fetch(`${url}/auth/credentials`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userName: 'dana@acme.test', password: PASSWORD }),
    });
    const cookie = signIn.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const me = await fetch(`${url}/auth`, { headers: { cookie } });
    expect(await me.json()).toMatchObject({ userName: 'dana@acme.test', sessionId: (await signIn.json()).sessionId });
    // A password in a URL is refused before anything else (issue 13.6); a GET without one is a 405.
    const viaGet = await fetch(`${url}/auth/credentials?userName=dana@acme.test&password=${encodeURIComponent(PASSWORD)}`);
    expect(viaGet.status).toBe(400);
    expect((await fetch(`${url}/auth/credentials?userName=dana@acme.test`)).status).toBe(405);
    const github = await fetch(`${url}/auth/github`, { method: 'POST' });
    expect(github.status).toBe(404);
    expect((await github.json()).responseStatus.message).toBe("No configuration was added for OAuth provider 'github'");
  });
});
