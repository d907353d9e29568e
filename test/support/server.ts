import { onTestFinished } from 'vitest';
import { buildApp, type AppOptions } from '../../src/app.js';
import type { SessionInfo } from '../../src/model/session-info.js';
import { SessionsRepository } from '../../src/sessions/sessions-repository.js';
import { openStore, type Store } from '../../src/store/open-store.js';

export interface TestServer {
  readonly url: string;
  readonly store: Store;
  readonly sessions: SessionsRepository;
}

/** A real server on 127.0.0.1 over a fresh in-memory SQLite, closed when the test ends. */
export async function startTestServer(seed: readonly SessionInfo[] = [], options: Omit<AppOptions, 'store'> = {}): Promise<TestServer> {
  const store = await openStore(process.env.TEST_DATABASE_URL ?? ':memory:');
  await store.migrate();
  const sessions = new SessionsRepository(store.db);
  for (const session of seed) await sessions.insertIfAbsent(session);
  const app = await buildApp({ ...options, store });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  onTestFinished(async () => {
    await app.close();
    await store.close();
  });
  return { url: `http://127.0.0.1:${port}`, store, sessions };
}
