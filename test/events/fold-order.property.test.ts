import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sessionWriter } from '../../src/events/session-writer.js';
import { SessionsRepository } from '../../src/sessions/sessions-repository.js';
import { emptyStore, openTestStore } from '../support/test-store.js';
import { seedDirectory } from './support/directory-seed.js';
import { eventsOf } from './support/events-of.js';
import { readGolden } from './support/golden.js';
import { SCENARIOS } from './support/scenarios.js';

describe('any order, any retries: the same session', () => {
  for (const scenario of SCENARIOS) {
    it(`${scenario.name}: every permutation with random duplicates folds to the golden`, async () => {
      const directoryStore = await openTestStore();
      await seedDirectory(directoryStore.db);
      const events = await eventsOf(directoryStore, scenario.deliveries);
      const store = await openTestStore();
      const expected = readGolden(scenario.name);
      const deliveryOrder = fc
        .array(fc.nat({ max: events.length - 1 }), { maxLength: events.length })
        .chain((dups) => {
          const all = [...events.keys(), ...dups];
          return fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length });
        });
      await fc.assert(
        fc.asyncProperty(deliveryOrder, async (order) => {
          await emptyStore(store);
          const ingest = sessionWriter(store);
          for (const i of order) await ingest.write([events[i]!]);
          const row = await new SessionsRepository(store.db).findById(scenario.sessionId);
          expect(JSON.parse(row!.json)).toEqual(expected);
        }),
        { numRuns: 25 },
      );
    });
  }
});
