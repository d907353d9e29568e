/**
 * What one tenant's Manager may learn of another tenant through the directory (issue 13, finding 7):
 * nothing, not even that a person works there.
 */
import { describe, expect, it } from 'vitest';
import { addAccount, addUser, signInCookie } from '../support/directory.js';
import { startTestServer } from '../support/server.js';

async function tenants() {
  const server = await startTestServer();
  const { store } = server;
  await addAccount(store, 'acct_a', 'Zephyr Holdings');
  await addAccount(store, 'acct_b', 'Quokka Ltd');
  await addUser(store, 'dana@a.test', ['User'], ['acct_a']);
  await addUser(store, 'bob@b.test', ['User'], ['acct_b']);
  const shared = await addUser(store, 'sam@both.test', ['User'], ['acct_a', 'acct_b']);
  const cookie = await signInCookie(store, await addUser(store, 'manager@a.test', ['Manager'], ['acct_a']));
  const send = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(server.url + path, { method, headers: { cookie, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: await res.text() };
  };
  return { ...server, shared, send };
}

describe('tenant facts in answers', () => {
  it('answers an email taken in another account exactly as one taken in the caller’s own', async () => {
    const { send } = await tenants();
    const create = (email: string) => send('POST', '/users', { emailAddress: email, password: 'long enough', accountIds: ['acct_a'] });
    const foreign = await create('bob@b.test');
    const own = await create('dana@a.test');
    expect(foreign.status).toBe(409);
    expect(foreign.body.replaceAll('bob@b.test', '<email>')).toBe(own.body.replaceAll('dana@a.test', '<email>'));
    expect(JSON.parse(foreign.body).responseStatus).toMatchObject({ errorCode: 'Conflict', message: 'This email address cannot be used' });
    const created = JSON.parse((await create('erin@a.test')).body) as { id: string };
    const renamed = await send('PATCH', `/users/${created.id}`, { emailAddress: 'bob@b.test' });
    expect(renamed).toEqual(foreign);
  });

  it('shows a person who works for both accounts with only the caller’s accounts and names', async () => {
    const { send, shared } = await tenants();
    const one = JSON.parse((await send('GET', `/users/${shared.id}`)).body);
    expect(one).toMatchObject({ accountIds: ['acct_a'], accountNames: ['Zephyr Holdings'] });
    const list = await send('GET', '/users?accountIds=acct_a');
    expect(list.body).not.toContain('acct_b');
    expect(list.body).not.toContain('Quokka');
  });
});
