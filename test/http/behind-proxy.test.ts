import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { addUser } from '../support/directory.js';
import { startTestServer } from '../support/server.js';

const PASSWORD = 'correct horse battery';

const signIn = (url: string, userName: string, password: string, headers: Record<string, string> = {}) =>
  fetch(`${url}/auth/credentials`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ userName, password }),
  });

const secureFlags = (res: Response) => res.headers.getSetCookie().map((cookie) => /; secure;/.test(cookie));

describe('behind a trusted proxy (issue 13.5)', () => {
  it('sets Secure on the cookies when the trusted proxy says the request was https', async () => {
    const { url, store } = await startTestServer([], { trustProxy: ['127.0.0.1'] });
    await addUser(store, 'dana@acme.test', ['User'], [], PASSWORD);
    const https = await signIn(url, 'dana@acme.test', PASSWORD, { 'x-forwarded-proto': 'https' });
    expect(https.status).toBe(200);
    expect(secureFlags(https)).toEqual([true, true, true]);
    const plain = await signIn(url, 'dana@acme.test', PASSWORD);
    expect(secureFlags(plain)).toEqual([false, false, false]);
    const signedOut = await fetch(`${url}/auth/logout`, { headers: { 'x-forwarded-proto': 'https' } });
    expect(secureFlags(signedOut)).toEqual([true, true, true]);
  });

  it('sets Secure whenever the public URL is https, proxy or not', async () => {
    const { url, store } = await startTestServer([], { events: { publicUrl: 'https://switchboard.example.com' } });
    await addUser(store, 'dana@acme.test', ['User'], [], PASSWORD);
    expect(secureFlags(await signIn(url, 'dana@acme.test', PASSWORD))).toEqual([true, true, true]);
  });

  it('believes no X-Forwarded-* header from a peer it does not trust', async () => {
    const { url, store } = await startTestServer([], { trustProxy: ['10.0.0.0/8'], auth: { throttle: { userAtAddress: { maxFailures: 5, windowMs: 60_000 }, address: { maxFailures: 3, windowMs: 60_000 } } } });
    await addUser(store, 'dana@acme.test', ['User'], [], PASSWORD);
    expect(secureFlags(await signIn(url, 'dana@acme.test', PASSWORD, { 'x-forwarded-proto': 'https' }))).toEqual([false, false, false]);
    // A client inventing a new address for each guess is still counted at its own address.
    for (let i = 0; i < 3; i++) {
      expect((await signIn(url, `user${i}@acme.test`, 'guess', { 'x-forwarded-for': `203.0.113.${i}` })).status).toBe(401);
    }
    expect((await signIn(url, 'dana@acme.test', PASSWORD, { 'x-forwarded-for': '198.51.100.7' })).status).toBe(429);
  });

  it('throttles each client at its own address: one address spraying guesses does not lock out the others', async () => {
    const rules = { userAtAddress: { maxFailures: 5, windowMs: 60_000 }, address: { maxFailures: 3, windowMs: 60_000 } };
    const { url, store } = await startTestServer([], { trustProxy: ['127.0.0.1'], auth: { throttle: rules } });
    await addUser(store, 'dana@acme.test', ['User'], [], PASSWORD);
    const attacker = { 'x-forwarded-for': '203.0.113.9' };
    for (let i = 0; i < 3; i++) expect((await signIn(url, `user${i}@acme.test`, 'guess', attacker)).status).toBe(401);
    expect((await signIn(url, 'dana@acme.test', PASSWORD, attacker)).status).toBe(429);
    // Dana behind the same proxy, from her own address (the proxy appends what it saw to what the client sent).
    expect((await signIn(url, 'dana@acme.test', PASSWORD, { 'x-forwarded-for': '203.0.113.9, 198.51.100.7' })).status).toBe(200);
  });

  it('reads the trusted proxies from --trust-proxy or TRUST_PROXY, and refuses what is no address', () => {
    expect(parseConfig([], {}).trustProxy).toEqual([]);
    expect(parseConfig(['--trust-proxy', '10.0.0.1, 192.168.0.0/16'], {}).trustProxy).toEqual(['10.0.0.1', '192.168.0.0/16']);
    expect(parseConfig([], { TRUST_PROXY: 'loopback,::1' }).trustProxy).toEqual(['loopback', '::1']);
    expect(parseConfig(['--trust-proxy', '10.0.0.1'], { TRUST_PROXY: 'loopback' }).trustProxy).toEqual(['10.0.0.1']);
    expect(() => parseConfig(['--trust-proxy', 'true'], {})).toThrow(/--trust-proxy \/ TRUST_PROXY must be/);
    expect(() => parseConfig(['--trust-proxy', '10.0.0.0/33'], {})).toThrow(/--trust-proxy \/ TRUST_PROXY must be/);
  });
});
