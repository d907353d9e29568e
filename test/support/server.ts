import { onTestFinished } from 'vitest';
import { buildApp, type AppOptions } from '../../src/app.js';
import type { SessionInfo } from '../../src/model/session-info.js';
import { SessionsRepository } from '../../src/sessions/sessions-repository.js';
import type { Store } from '../../src/store/open-store.js';
import { adminCookie } from './directory.js';
import { openTestStore } from './test-store.js';
import { deadUrl } from './twilio-fake.js';
import { storeWhole } from '../support/sessions.js';

export interface TestServer {
  readonly url: string;
  readonly store: Store;
  readonly sessions: SessionsRepository;
}

/**
 * A real server on 127.0.0.1 closed when the test ends, over `options.store` or a fresh store of the
 * file's dialect (SQLite or PostgreSQL, see test-store.ts).
 */
export async function startTestServer(
  seed: readonly SessionInfo[] = [],
  options: Omit<AppOptions, 'store'> & { store?: Store } = {},
): Promise<TestServer> {
  const store = options.store ?? (await openTestStore());
  if (options.store) await store.migrate();
  const sessions = new SessionsRepository(store.db);
  for (const session of seed) await storeWhole(store, session);
  // Twilio is never the real one in a test: a command that gets past every check meets a closed
  // loopback port (503 TelephonyUnavailable) unless the test points it at its fake.
  const control = { twilioApiUrl: await deadUrl(), ...options.control };
  const app = await buildApp({ ...options, control, store });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  onTestFinished(() => app.close());
  return { url: `http://127.0.0.1:${port}`, store, sessions };
}

export interface SignedInServer extends TestServer {
  /** fetch with a SystemAdministrator's sign-in cookie. */
  readonly fetch: typeof fetch;
}

/** A server holding `seed`, and a fetch signed in as a SystemAdministrator (by sign-in cookie). */
export async function startSignedInServer(seed: readonly SessionInfo[] = []): Promise<SignedInServer> {
  const server = await startTestServer(seed);
  const cookie = await adminCookie(server.store);
  const signedFetch = (url: string | URL | Request, init: RequestInit = {}) =>
    fetch(url, { ...init, headers: { ...(init.headers as Record<string, string>), cookie } });
  return { ...server, fetch: signedFetch };
}
