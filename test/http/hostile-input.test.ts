import { describe, expect, it } from 'vitest';
import { goldenSession } from '../support/fixtures.js';
import { startSignedInServer } from '../support/server.js';

const golden = goldenSession();

/** Responses a client can act on: a 2xx or a ServiceStack ResponseStatus 4xx, never a 5xx. */
async function expectClear4xx(res: Response, status?: number) {
  if (status) expect(res.status).toBe(status);
  expect(res.status).toBeGreaterThanOrEqual(400);
  expect(res.status).toBeLessThan(500);
  const text = await res.text();
  if (res.headers.get('content-type')?.startsWith('application/json')) {
    const body = JSON.parse(text) as { responseStatus: { errorCode: string; message: string; errors: unknown[] } };
    expect(body.responseStatus.errorCode).toBeTruthy();
    expect(body.responseStatus.errors).toBeInstanceOf(Array);
  }
}

describe('hostile and malformed input never gives a 500', () => {
  it.each([
    ['a NUL byte', '/sessions/%00', 400],
    ['a control character', '/sessions/a%0Ab', 400],
    ['a lone surrogate', '/sessions/%ED%A0%80', 400],
    ['a broken percent escape', '/sessions/%E0%A4%A', 400],
    ['a truncated escape', '/sessions/%', 400],
    ['a huge id', `/sessions/${'x'.repeat(3000)}`, 400],
    ['an id past the router limit', `/sessions/${'y'.repeat(6000)}`, 414],
    ['an unknown id with unicode', '/sessions/%E2%98%8E%F0%9F%93%9E', 404],
    ['a path traversal', '/sessions/..%2F..%2Fetc%2Fpasswd', 404],
    ['an unknown route', '/nothing/here', 404],
    ['a predefined route with an unknown format', '/yaml/reply/GetSession', 404],
    ['a predefined route with no id', '/api/GetSession', 400],
    ['a query of repeated keys', '/api/GetSession?sessionId=a&sessionId=b', 404],
  ])('%s', async (_name, path, status) => {
    const { url, fetch } = await startSignedInServer([golden]);
    await expectClear4xx(await fetch(url + path), status);
  });

  it('rejects a malformed JSON body with 400', async () => {
    const { url, fetch } = await startSignedInServer([golden]);
    const res = await fetch(`${url}/api/GetSession`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"sessionId": ',
    });
    await expectClear4xx(res, 400);
  });

  it('rejects a body of the wrong shape with a SerializationException naming the field', async () => {
    const { url, fetch } = await startSignedInServer([golden]);
    const res = await fetch(`${url}/api/GetSession`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sessionId: { nested: true } }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { responseStatus: { errorCode: string; errors: { fieldName: string }[] } };
    expect(body.responseStatus.errorCode).toBe('SerializationException');
    expect(body.responseStatus.errors[0]!.fieldName).toBe('SessionId');
  });

  it('rejects a body over the limit with 413', async () => {
    const { url, fetch } = await startSignedInServer([golden]);
    const res = await fetch(`${url}/api/GetSession`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sessionId: 'x'.repeat(2 * 1024 * 1024) }),
    });
    await expectClear4xx(res, 413);
  });

  it('survives odd headers: a junk cookie, odd content types, odd Accept', async () => {
    const { url, fetch } = await startSignedInServer([golden]);
    const res = await fetch(`${url}/sessions/${golden.id}`, {
      headers: {
        cookie: 'ss-id=abc; ss-pid=def; 01 Jan 2100 00:00:00 GMT=null; =; ;;',
        'content-type': 'multipart/form-data; boundary=',
        accept: 'application/xml;q=abc, */*;q=-1, text/html;;',
      },
    });
    expect(res.status).toBe(200);
  });

  it('binds a form post on a predefined route', async () => {
    const { url, fetch } = await startSignedInServer([golden]);
    const res = await fetch(`${url}/api/GetSession`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `sessionId=${golden.id}`,
    });
    expect(res.status).toBe(200);
  });
});
