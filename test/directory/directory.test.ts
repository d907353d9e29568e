import { describe, expect, it } from 'vitest';
import { addAccount, addUser, adminCookie, signInCookie } from '../support/directory.js';
import { goldenSession } from '../support/fixtures.js';
import { startTestServer } from '../support/server.js';

async function directory() {
  const server = await startTestServer([goldenSession()]);
  const admin = await adminCookie(server.store);
  const call = async (cookie: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(server.url + path, {
      method,
      headers: { cookie, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: text && res.headers.get('content-type')?.startsWith('application/json') ? JSON.parse(text) : text };
  };
  return { ...server, admin, call };
}

describe('accounts', () => {
  it('creates, reads, patches and deletes; the Twilio auth tokens go in and never come out', async () => {
    const { admin, call } = await directory();
    const created = await call(admin, 'POST', '/accounts', { name: 'Acme', twilioAccountSid: 'AC123', twilioAuthToken: 'tok-top-secret' });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ name: 'Acme', twilioAccountSid: 'AC123' });
    expect(created.body.id).toMatch(/^[0-9a-f]{24}$/);
    const id = created.body.id;
    const patched = await call(admin, 'PATCH', `/accounts/${id}`, { name: 'Acme Inc', twilioAuthTokenSecondary: 'tok-next-secret' });
    expect(patched.body.name).toBe('Acme Inc');
    for (const path of [`/accounts/${id}`, `/accounts/${id}.xml`, `/accounts/${id}.csv`, '/accounts', '/accounts.xml']) {
      const got = await call(admin, 'GET', path);
      expect(got.status, path).toBe(200);
      expect(JSON.stringify(got.body)).not.toMatch(/tok-(top|next)-secret/);
    }
    expect((await call(admin, 'GET', `/accounts/${id}.xml`)).body).toContain('<AccountInfo xmlns:i="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://schemas.datacontract.org/2004/07/Voice.Api.Accounts">');
    expect((await call(admin, 'DELETE', `/accounts/${id}`)).status).toBe(204);
    expect((await call(admin, 'GET', `/accounts/${id}`)).status).toBe(404);
  });

  it('pages as a ListResponse', async () => {
    const { admin, call, store } = await directory();
    for (let i = 0; i < 5; i++) await addAccount(store, `acct_${i}`, `Account ${i}`);
    const page = await call(admin, 'GET', '/accounts?countPerPage=2&page=1');
    expect(page.body).toMatchObject({ totalCount: 5, totalPages: 3, hasMorePages: true });
    expect(page.body.items.map((a: { name: string }) => a.name)).toEqual(['Account 2', 'Account 3']);
    const simplified = await call(admin, 'GET', '/accounts?countPerPage=2&page=2&simplifiedPaging=true&sortOrder=Descend');
    expect(simplified.body).toEqual({ items: [expect.objectContaining({ name: 'Account 0' })], totalCount: 0, totalPages: 0, hasMorePages: false });
    expect((await call(admin, 'GET', '/accounts?page=-1')).status).toBe(400);
    expect((await call(admin, 'GET', '/accounts?countPerPage=abc')).status).toBe(400);
  });
});

describe('customers and endpoints', () => {
  it('keeps a customer tree with breadcrumbs, refuses loops, and deleting a customer leaves sessions as they were', async () => {
    const { admin, call, url } = await directory();
    const golden = goldenSession();
    await call(admin, 'POST', '/accounts', { name: 'Acme' });
    const account = (await call(admin, 'GET', '/accounts')).body.items[0].id;
    const root = (await call(admin, 'POST', '/customers', { accountId: account, name: 'Acme Co' })).body;
    const west = (await call(admin, 'POST', '/customers', { accountId: account, name: 'West', parentCustomerId: root.id })).body;
    expect(west.breadcrumb).toEqual([{ id: root.id, name: 'Acme Co' }, { id: west.id, name: 'West' }]);
    expect((await call(admin, 'PATCH', `/customers/${root.id}`, { parentCustomerId: west.id })).status).toBe(409);
    expect((await call(admin, 'DELETE', `/customers/${root.id}`)).status).toBe(409);
    const before = await fetch(`${url}/sessions/${golden.id}`, { headers: { cookie: admin } }).then((r) => r.text());
    expect((await call(admin, 'DELETE', `/customers/${west.id}`)).status).toBe(204);
    expect(await fetch(`${url}/sessions/${golden.id}`, { headers: { cookie: admin } }).then((r) => r.text())).toBe(before);
  });

  it('validates endpoints: E.164 numbers, known types, a customer of the same account', async () => {
    const { admin, call, store } = await directory();
    await addAccount(store, 'acct_a', 'A');
    const ok = await call(admin, 'POST', '/endpoints', { accountId: 'acct_a', type: 'PhoneNumber', displayName: 'Main', phoneNumber: '+15035550100' });
    expect(ok.body).toMatchObject({ accountId: 'acct_a', accountName: 'A', type: 'PhoneNumber', phoneNumber: '+15035550100' });
    const bad = await call(admin, 'POST', '/endpoints', { accountId: 'acct_a', type: 'PhoneNumber', displayName: 'Main', phoneNumber: '503-555' });
    expect(bad).toMatchObject({ status: 400, body: { responseStatus: { errors: [expect.objectContaining({ fieldName: 'PhoneNumber' })] } } });
    expect((await call(admin, 'POST', '/endpoints', { accountId: 'acct_a', type: 'Robot', displayName: 'x' })).status).toBe(400);
    expect((await call(admin, 'POST', '/endpoints', { accountId: 'acct_a', type: 'Team', displayName: 'x', customerId: 'nope' })).status).toBe(404);
    expect((await call(admin, 'PATCH', `/endpoints/${ok.body.id}`, { displayName: '' })).status).toBe(400);
    const agents = await call(admin, 'GET', '/endpoints?accountIds=acct_a&type=PhoneNumber');
    expect(agents.body.totalCount).toBe(1);
  });
});

describe('users', () => {
  it('lets a Manager add people to their own accounts only, and never grant SystemAdministrator', async () => {
    const { call, store } = await directory();
    await addAccount(store, 'acct_a', 'A');
    await addAccount(store, 'acct_b', 'B');
    const manager = await signInCookie(store, await addUser(store, 'boss@a.test', ['Manager'], ['acct_a']));
    const added = await call(manager, 'POST', '/users', { emailAddress: 'New@A.test', password: 'long enough', accountIds: ['acct_a'], firstName: 'Nia' });
    expect(added.body).toMatchObject({ emailAddress: 'new@a.test', name: 'Nia', roles: ['User'], accountIds: ['acct_a'], accountNames: ['A'] });
    expect(JSON.stringify(added.body)).not.toContain('scrypt');
    expect((await call(manager, 'POST', '/users', { emailAddress: 'x@a.test', password: 'long enough', accountIds: ['acct_b'] })).status).toBe(403);
    expect((await call(manager, 'POST', '/users', { emailAddress: 'y@a.test', password: 'long enough', accountIds: ['acct_a'], roles: ['SystemAdministrator'] })).status).toBe(403);
    expect((await call(manager, 'POST', '/users', { emailAddress: 'new@a.test', password: 'long enough', accountIds: ['acct_a'] })).status).toBe(409);
    expect((await call(manager, 'POST', '/users', { emailAddress: 'z@a.test', password: 'short', accountIds: ['acct_a'] })).status).toBe(400);
    const both = await addUser(store, 'both@a.test', ['User'], ['acct_a', 'acct_b']);
    expect((await call(manager, 'GET', `/users/${both.id}`)).status).toBe(200);
    expect((await call(manager, 'PATCH', `/users/${both.id}`, { firstName: 'x' })).status).toBe(403);
    const listed = await call(manager, 'GET', '/users');
    expect(listed.body.items.map((u: { emailAddress: string }) => u.emailAddress)).toEqual(['boss@a.test', 'both@a.test', 'new@a.test']);
  });

  it('signs a user out everywhere when an admin sets a new password', async () => {
    const { admin, call, store, url } = await directory();
    const dana = await addUser(store, 'dana@a.test', ['User'], []);
    const cookie = await signInCookie(store, dana);
    expect((await fetch(`${url}/auth/status`, { headers: { cookie } })).status).toBe(200);
    expect((await call(admin, 'PATCH', `/users/${dana.id}`, { password: 'a new password' })).status).toBe(200);
    expect((await fetch(`${url}/auth/status`, { headers: { cookie } })).status).toBe(401);
  });
});

describe('hostile input', () => {
  it.each([
    ['a NUL in an id', 'GET', '/accounts/%00', undefined],
    ['an id of 3000 characters', 'GET', `/customers/${'x'.repeat(3000)}`, undefined],
    ['a NUL in a list filter', 'GET', '/endpoints?accountIds=a%00b', undefined],
    ['a NUL in a name', 'POST', '/accounts', { name: 'a\u0000b' }],
    ['a name of 100 000 characters', 'POST', '/accounts', { name: 'x'.repeat(100_000) }],
    ['a password of 5000 characters', 'POST', '/users', { emailAddress: 'a@b.test', password: 'y'.repeat(5000) }],
    ['a NUL in a sign-in name', 'POST', '/auth/credentials', { userName: 'dana\u0000@acme.test', password: 'whatever' }],
  ])('%s → 400, never a 500 (PostgreSQL refuses NUL)', async (_name, method, path, body) => {
    const { admin, call } = await directory();
    const res = await call(admin, method, path, body);
    expect(res.status).toBe(400);
    expect(res.body.responseStatus.errors[0].errorCode).toMatch(/^(Predicate|MaximumLength)$/);
  });

  it('answers Basic credentials holding control characters with 401', async () => {
    const { url } = await directory();
    const authorization = 'Basic ' + Buffer.from('dana\u0000@acme.test:pw').toString('base64');
    expect((await fetch(`${url}/auth/status`, { headers: { authorization } })).status).toBe(401);
  });
});
