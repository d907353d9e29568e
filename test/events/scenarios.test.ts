import { describe, expect, it } from 'vitest';
import { sessionWriter } from '../../src/events/session-writer.js';
import { deliver } from './support/deliver.js';
import { ACCOUNT_ID, PUBLIC_URL, seedDirectory } from './support/directory-seed.js';
import { addApiKey } from '../support/directory.js';
import { golden } from './support/golden.js';
import { SCENARIOS } from './support/scenarios.js';
import { startTestServer } from '../support/server.js';

describe('scenarios over signed HTTP callbacks', () => {
  // The server's writer, and the plain reference one (reference-writer.ts) selected in its place.
  for (const [scenario, writer] of SCENARIOS.flatMap((s) => (['cached', 'reference'] as const).map((w) => [s, w] as const))) {
    it(`${scenario.name}${writer === 'reference' ? ' (reference writer)' : ''}: every callback is acknowledged and the session ends as its golden`, async () => {
      let clock = new Date(0);
      const server = await startTestServer([], { events: { publicUrl: PUBLIC_URL, now: () => clock, writer } });
      await seedDirectory(server.store.db);
      // The voice app or chat platform that feeds neutral events holds a Manager API key.
      const authorization = `Bearer ${await addApiKey(server.store, ACCOUNT_ID, ['Manager'])}`;
      for (const d of scenario.deliveries) {
        clock = new Date(d.at);
        const res = await deliver(server.url, d, undefined, authorization);
        expect(res.status, `${d.kind} ${d.at}: ${await res.clone().text()}`).toBeLessThan(300);
      }
      const res = await fetch(`${server.url}/sessions/${scenario.sessionId}`, { headers: { authorization } });
      expect(res.status).toBe(200);
      const session = await res.json();
      expect(session).toEqual(golden(scenario.name, session));
      expect(session).toEqual(await sessionWriter(server.store).foldOf(session.accountId, scenario.sessionId));
    });
  }
});
