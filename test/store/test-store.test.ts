import { describe, expect, it } from 'vitest';
import { SessionsRepository } from '../../src/sessions/sessions-repository.js';
import { goldenSession } from '../support/fixtures.js';
import { dialect, openTestStore } from '../support/test-store.js';
import { storeWhole } from '../support/sessions.js';

// The harness itself: databases are reused between tests on PostgreSQL, so prove each test still
// starts from an empty, migrated store whatever the test before it left.
describe(`a test store (${dialect})`, () => {
  for (const round of [1, 2, 3]) {
    it(`is empty and migrated at the start of every test (round ${round})`, async () => {
      const store = await openTestStore();
      const sessions = new SessionsRepository(store.db);
      expect(await sessions.count()).toBe(0);
      expect(await storeWhole(store, goldenSession())).toBe(true);
      const event = {
        account_id: 'acct_acme', session_id: goldenSession().id!, dedupe_key: `k${round}`, source: 'test', type: 'Test',
        occurred_at: '2026-11-27T14:03:11.000Z', sequence_no: null, actor: null, payload: '{}', ingested_at: '2026-11-27T14:03:11.000Z',
      };
      await store.db.insertInto('session_events').values(event).execute();
      const { first } = await store.db.selectFrom('session_events').select((eb) => eb.fn.min('seq').as('first')).executeTakeFirstOrThrow();
      expect(Number(first)).toBe(1); // keys restart too
    });
  }
});
