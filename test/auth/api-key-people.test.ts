/**
 * API keys are for machines (issue 13, finding 8): a Manager's key reads the people of its account
 * but never creates, changes or deletes one, so it cannot make password logins, grant roles or
 * reset a password.
 */
import { describe, expect, it } from 'vitest';
import { addAccount, addApiKey, addUser, signInCookie } from '../support/directory.js';
import { startTestServer } from '../support/server.js';

async function setup() {
  const server = await startTestServer();
  await addAccount(server.store, 'acct_a', 'Zephyr Holdings');
  const dana = await addUser(server.store, 'dana@a.test', ['User'], ['acct_a']);
  const key = await addApiKey(server.store, 'acct_a', ['Manager']);
  const cookie = await signInCookie(server.store, await addUser(server.store, 'manager@a.test', ['Manager'], ['acct_a']));
  const call = async (method: string, path: string, auth: Record<string, string>, body?: unknown) => {
    const res = await fetch(server.url + path, {
      method,
      headers: { ...auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, reason: res.statusText };
  };
  return { dana, call, asKey: { authorization: `Bearer ${key}` }, asManager: { cookie } };
}

describe("a Manager's API key and people", () => {
  it('reads the users of its account', async () => {
    const { dana, call, asKey } = await setup();
    expect((await call('GET', '/users', asKey)).status).toBe(200);
    expect((await call('GET', `/users/${dana.id}`, asKey)).status).toBe(200);
  });

  it('may not create, change or delete a person, nor set a password or role, on any route (403 Invalid Role)', async () => {
    const { dana, call, asKey } = await setup();
    const newUser = { emailAddress: 'bot-made@a.test', password: 'long enough', roles: ['Manager'], accountIds: ['acct_a'] };
    const refused = [
      await call('POST', '/users', asKey, newUser),
      await call('POST', '/api/NewUser', asKey, newUser),
      await call('PATCH', `/users/${dana.id}`, asKey, { password: 'taken over now' }),
      await call('PATCH', `/users/${dana.id}`, asKey, { roles: ['Manager'] }),
      await call('POST', '/api/PatchUser', asKey, { userId: dana.id, firstName: 'Dana' }),
      await call('DELETE', `/users/${dana.id}`, asKey),
    ];
    expect(refused).toEqual(refused.map(() => ({ status: 403, reason: 'Invalid Role' })));
  });

  it('leaves the same changes to a signed-in Manager', async () => {
    const { dana, call, asManager } = await setup();
    expect((await call('POST', '/users', asManager, { emailAddress: 'erin@a.test', password: 'long enough', accountIds: ['acct_a'] })).status).toBe(200);
    expect((await call('PATCH', `/users/${dana.id}`, asManager, { firstName: 'Dana' })).status).toBe(200);
  });

  it('says so on the metadata page', async () => {
    const server = await startTestServer();
    const page = await (await fetch(`${server.url}/json/metadata?op=NewUser`)).text();
    expect(page).toContain('<tr><th>API keys:</th><td>not accepted (a person must sign in)</td></tr>');
    expect(await (await fetch(`${server.url}/json/metadata?op=ListUsers`)).text()).not.toContain('API keys:');
  });
});
