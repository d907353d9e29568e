import { request, Agent } from 'node:http';
import { expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { openTestStore } from '../support/test-store.js';

it('a request running when the app closes is answered with Connection: close, and close does not wait for the keep-alive timeout', async () => {
  const store = await openTestStore();
  const app = await buildApp({ store });
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let started!: () => void;
  const running = new Promise<void>((resolve) => (started = resolve));
  app.get('/test/slow', async () => {
    started();
    await released;
    return { ok: true };
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };

  const agent = new Agent({ keepAlive: true });
  const answer = new Promise<{ status: number; connection: string | undefined }>((resolve, reject) => {
    request({ agent, host: '127.0.0.1', port, path: '/test/slow' }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }));
    })
      .on('error', reject)
      .end();
  });
  await running;
  const began = Date.now();
  const closed = app.close();
  // Let close reach the server before the answer goes out, as a callback arriving during shutdown.
  await new Promise((resolve) => setTimeout(resolve, 50));
  release();
  expect(await answer).toEqual({ status: 200, connection: 'close' });
  await closed;
  expect(Date.now() - began).toBeLessThan(10_000);
  agent.destroy();
  await store.close();
});
