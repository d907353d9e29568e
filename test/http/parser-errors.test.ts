import { Agent, request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startTestServer } from '../support/server.js';

/** Writes raw bytes on a fresh connection and reads everything until the server closes it. */
function exchange(url: string, raw: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(raw));
    let received = '';
    socket.setEncoding('latin1').on('data', (chunk: string) => (received += chunk));
    socket.on('close', () => resolve(received));
    socket.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' ? resolve(received) : reject(error)));
    socket.setTimeout(5_000, () => socket.destroy(new Error(`no close after ${JSON.stringify(received)}`)));
  });
}

/** Status line, headers (lower-cased names) and body of one raw response. */
function parse(response: string) {
  const end = response.indexOf('\r\n\r\n');
  const [statusLine, ...lines] = response.slice(0, end).split('\r\n');
  const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
  return { statusLine: statusLine!, headers, body: response.slice(end + 4) };
}

const LONG_PATH = '/sessions/' + 'a'.repeat(16 * 1024);

describe('errors the HTTP parser raises, as a keep-alive client sees them (issue 13.9)', () => {
  it('answers a HEAD with a 16 KB URL with 431 and no body, and closes', async () => {
    const { url } = await startTestServer();
    const response = parse(await exchange(url, `HEAD ${LONG_PATH} HTTP/1.1\r\nHost: x\r\n\r\n`));
    expect(response.statusLine).toMatch(/^HTTP\/1\.1 431 /);
    expect(response.headers.connection).toBe('close');
    expect(response.body).toBe('');
  });

  it('answers a GET with a 16 KB URL with 431, Connection: close and a ResponseStatus', async () => {
    const { url } = await startTestServer();
    const response = parse(await exchange(url, `GET ${LONG_PATH} HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n`));
    expect(response.statusLine).toMatch(/^HTTP\/1\.1 431 /);
    expect(response.headers.connection).toBe('close');
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(Number(response.headers['content-length'])).toBe(Buffer.byteLength(response.body));
    expect(JSON.parse(response.body)).toEqual({
      responseStatus: { errorCode: 'RequestHeaderFieldsTooLarge', message: expect.stringMatching(/header/i), errors: [] },
    });
  });

  it.each([
    ['a header line with no colon', 'GET /sessions HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n'],
    ['a request line that is not HTTP', 'BREW /pot HTCPCP/1.0\r\n\r\n'],
    ['a body length that is no number', 'POST /auth HTTP/1.1\r\nHost: x\r\nContent-Length: ten\r\n\r\n'],
  ])('answers %s with 400, Connection: close and a ResponseStatus', async (_what, raw) => {
    const { url } = await startTestServer();
    const response = parse(await exchange(url, raw));
    expect(response.statusLine).toMatch(/^HTTP\/1\.1 400 /);
    expect(response.headers.connection).toBe('close');
    expect(JSON.parse(response.body)).toEqual({ responseStatus: { errorCode: 'BadRequest', message: expect.any(String), errors: [] } });
  });

  it('leaves a keep-alive client able to carry on: the refused socket is not reused', async () => {
    const { url } = await startTestServer();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const send = (method: string, path: string) =>
      new Promise<{ status: number; connection?: string; body: string }>((resolve, reject) => {
        const req = httpRequest(url + path, { method, agent }, (res) => {
          let body = '';
          res.setEncoding('utf8').on('data', (c: string) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode!, connection: res.headers.connection, body }));
        });
        req.on('error', reject).end();
      });
    try {
      expect((await send('GET', '/metadata')).status).toBe(200);
      const head = await send('HEAD', LONG_PATH);
      expect([head.status, head.connection, head.body]).toEqual([431, 'close', '']);
      expect((await send('GET', '/metadata')).status).toBe(200);
      const get = await send('GET', LONG_PATH);
      expect([get.status, get.connection]).toEqual([431, 'close']);
      expect(JSON.parse(get.body).responseStatus.errorCode).toBe('RequestHeaderFieldsTooLarge');
      expect((await send('GET', '/metadata')).status).toBe(200);
    } finally {
      agent.destroy();
    }
  });
});
