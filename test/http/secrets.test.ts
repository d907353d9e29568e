import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { adminCookie } from '../support/directory.js';
import { startTestServer } from '../support/server.js';
import { openTestStore } from '../support/test-store.js';

/** Every line the server's real logger writes, at its most talkative level. */
function capturedLog() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, logger: { level: 'trace', stream } as const };
}

const SECRET = 'Hunter2-s3cret';

describe('secrets never travel in the URL (issue 13.6)', () => {
  it.each([
    ['POST', '/auth/credentials?password=' + SECRET, { userName: 'dana@acme.test' }],
    ['POST', '/auth?provider=credentials&userName=dana@acme.test&Password=' + SECRET, undefined],
    ['POST', '/json/oneway/NewUser?emailAddress=eve@acme.test&password=' + SECRET, undefined],
    ['POST', '/json/reply/Authenticate?provider=credentials&userName=dana@acme.test&password=' + SECRET, undefined],
    ['POST', '/api/NewUser?emailAddress=eve@acme.test&PASSWORD=' + SECRET, undefined],
    ['POST', '/accounts?name=Acme&twilioAuthToken=' + SECRET, undefined],
    ['PATCH', '/accounts/acct_1?twilioAuthTokenSecondary=' + SECRET, undefined],
    ['GET', '/sessions?apiKey=' + SECRET, undefined],
    ['POST', '/auth/credentials?accessTokenSecret=' + SECRET, { userName: 'dana@acme.test', password: 'x' }],
    ['GET', '/event-stream?channels=account:acct_1&password=' + SECRET, undefined],
  ])('refuses %s %s with a 400 ResponseStatus, and logs no secret', async (method, path, body) => {
    const log = capturedLog();
    const { url, store } = await startTestServer([], { logger: log.logger });
    const cookie = await adminCookie(store);
    const res = await fetch(url + path, {
      method,
      headers: { cookie, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    expect(res.status).toBe(400);
    const status = (await res.json()).responseStatus;
    expect(status.errorCode).toBe('BadRequest');
    expect(status.message).toMatch(/must be sent in the request body, never in the URL/);
    expect(log.lines.some((line) => line.includes('incoming request'))).toBe(true);
    expect(log.lines.filter((line) => line.includes(SECRET))).toEqual([]);
  });

  it('still takes secrets in the body and in form posts', async () => {
    const { url, store } = await startTestServer();
    const cookie = await adminCookie(store);
    const json = await fetch(`${url}/users`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ emailAddress: 'eve@acme.test', password: SECRET, roles: ['User'] }),
    });
    expect(json.status).toBe(200);
    const form = await fetch(`${url}/auth/credentials`, { method: 'POST', body: new URLSearchParams({ userName: 'eve@acme.test', password: SECRET }) });
    expect(form.status).toBe(200);
  });

  it('lets the event stream alone take an API key in its URL (EventSource sends no headers), and logs it redacted', async () => {
    const log = capturedLog();
    const { url } = await startTestServer([], { logger: log.logger });
    const stream = await fetch(`${url}/event-stream?channels=account:acct_1&apikey=ak-${SECRET}`);
    expect(stream.status).toBe(401);
    expect((await fetch(`${url}/sessions?apikey=ak-${SECRET}`)).status).toBe(400);
    expect(log.lines.filter((line) => line.includes(SECRET))).toEqual([]);
  });
});

describe('secrets never reach a log line (issue 13.6)', () => {
  it('redacts them from request URLs, bodies and errors, whatever logs them', async () => {
    const log = capturedLog();
    const app = await buildApp({ store: await openTestStore(), logger: log.logger });
    app.log.info({ body: { userName: 'dana', password: SECRET, twilioAuthToken: SECRET } }, 'a body');
    app.log.info({ body: JSON.stringify({ Password: SECRET }) }, 'a body as text');
    app.log.info({ form: `userName=dana&password=${SECRET}&rememberMe=true` }, 'a form');
    app.log.warn({ headers: { authorization: `Basic ${SECRET}`, cookie: `ss-id=${SECRET}` } }, 'headers');
    app.log.error({ err: new Error(`Unexpected token, "{"password":"${SECRET}"…" is not valid JSON`) }, 'an error');
    app.log.error(`a message with <Password>${SECRET}</Password> in it`);
    await app.close();
    expect(log.lines).toHaveLength(6);
    expect(log.lines.filter((line) => line.includes(SECRET))).toEqual([]);
    expect(log.lines.every((line) => line.includes('***'))).toBe(true);
    expect(log.lines[0]).toContain('"userName":"dana"');
  });

  it('keeps secrets out of the log of a sign-in with a malformed body', async () => {
    const log = capturedLog();
    const { url } = await startTestServer([], { logger: log.logger });
    const res = await fetch(`${url}/auth/credentials`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: `{"userName":"dana","password":"${SECRET}"` });
    expect(res.status).toBe(400);
    expect(log.lines.filter((line) => line.includes(SECRET))).toEqual([]);
  });
});
