import { onTestFinished } from 'vitest';
import { describe, expect, it } from 'vitest';
import { authServices } from '../../src/auth/auth-services.js';
import { openStore } from '../../src/store/open-store.js';
import { addUser } from '../support/directory.js';
import { startTestServer } from '../support/server.js';
import { freshDatabaseUrl } from '../support/test-store.js';

const PASSWORD = 'correct horse battery';
const ATTEMPTS = 200;

const signIn = (url: string, userName: string, password: string) =>
  fetch(`${url}/auth/credentials`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userName, password }),
  });

/** Status counts of the answers, and whether every 429 said when to come back. */
async function tally(responses: Promise<Response>[]) {
  const counts: Record<number, number> = {};
  let retryAfterOnEvery429 = true;
  for (const res of await Promise.all(responses)) {
    counts[res.status] = (counts[res.status] ?? 0) + 1;
    if (res.status === 429 && !(Number(res.headers.get('retry-after')) > 0)) retryAfterOnEvery429 = false;
    await res.arrayBuffer();
  }
  return { counts, retryAfterOnEvery429 };
}

const timed = async <T>(run: () => Promise<T>): Promise<[T, number]> => {
  const started = performance.now();
  const result = await run();
  return [result, Math.round(performance.now() - started)];
};

describe('sign-in throttle under a flood of parallel guesses (issue 13.2)', () => {
  it('checks only the first 5 of 200 parallel wrong passwords; the rest get 429 with Retry-After, and others still sign in', async () => {
    const { url, store } = await startTestServer();
    await addUser(store, 'dana@acme.test', ['User'], [], PASSWORD);
    await addUser(store, 'erin@acme.test', ['User'], [], PASSWORD);
    const [alone, aloneMs] = await timed(() => signIn(url, 'erin@acme.test', PASSWORD));
    expect(alone.status).toBe(200);

    const flood = Array.from({ length: ATTEMPTS }, (_, i) => signIn(url, 'dana@acme.test', `guess ${i}`));
    // Another person from the same address signs in while the guesses are in flight.
    const [during, duringMs] = await timed(() => signIn(url, 'erin@acme.test', PASSWORD));
    const { counts, retryAfterOnEvery429 } = await tally(flood);
    console.log(`[13.2] ${ATTEMPTS} parallel guesses → ${JSON.stringify(counts)}; a real sign-in took ${duringMs} ms during the flood, ${aloneMs} ms alone`);
    expect(counts).toEqual({ 401: 5, 429: ATTEMPTS - 5 });
    expect(retryAfterOnEvery429).toBe(true);
    expect(during.status).toBe(200);
  });

  it('never refuses the victim signing in from her own address while she is being guessed at', async () => {
    const { store } = await startTestServer();
    const auth = authServices(store);
    const { url } = await startTestServer([], { store, authServices: auth });
    await addUser(store, 'dana@acme.test', ['User'], [], PASSWORD);
    const flood = Array.from({ length: 50 }, (_, i) => signIn(url, 'dana@acme.test', `guess ${i}`));
    const victim = await auth.passwords.verify('dana@acme.test', PASSWORD, '198.51.100.7', new Date());
    expect(victim.email).toBe('dana@acme.test');
    await tally(flood);
  });

  it('holds across two instances on one database: 5 checked in all', async () => {
    const databaseUrl = await freshDatabaseUrl();
    const [first, second] = [await openStore(databaseUrl), await openStore(databaseUrl)];
    onTestFinished(() => Promise.all([first.close(), second.close()]).then(() => undefined));
    await first.migrate();
    const one = await startTestServer([], { store: first });
    const two = await startTestServer([], { store: second });
    await addUser(first, 'dana@acme.test', ['User'], [], PASSWORD);
    const flood = Array.from({ length: ATTEMPTS }, (_, i) => signIn(i % 2 ? one.url : two.url, 'dana@acme.test', `guess ${i}`));
    const { counts } = await tally(flood);
    expect(counts).toEqual({ 401: 5, 429: ATTEMPTS - 5 });
  });
});
