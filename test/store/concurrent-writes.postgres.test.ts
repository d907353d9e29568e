import { describe, expect, it, onTestFinished } from 'vitest';
import { SessionsRepository } from '../../src/sessions/sessions-repository.js';
import { openStore, type Store } from '../../src/store/open-store.js';
import { goldenSession } from '../support/fixtures.js';
import { freshDatabaseUrl } from '../support/test-store.js';
import { storeWhole } from '../support/sessions.js';

/** Stores on one database with pools of their own: what separate instances are to PostgreSQL. */
async function instancesOf(url: string, count: number): Promise<Store[]> {
  const stores = await Promise.all(Array.from({ length: count }, () => openStore(url)));
  onTestFinished(() => Promise.all(stores.map((s) => s.close())).then(() => undefined));
  return stores;
}

describe('concurrent writers on one PostgreSQL', () => {
  it('importing the same sessions from several instances at once stores each once, without an error', async () => {
    const stores = await instancesOf(await freshDatabaseUrl(), 4);
    const sessions = Array.from({ length: 25 }, (_, i) => ({ ...goldenSession(), id: `race_${i}` }));
    const outcomes = await Promise.all(
      stores.map((store) => Promise.all(sessions.map((s) => storeWhole(store, s)))),
    );
    for (const [i] of sessions.entries()) {
      expect(outcomes.map((o) => o[i]).filter((stored) => stored)).toHaveLength(1);
    }
    expect(await new SessionsRepository(stores[0]!.db).count()).toBe(sessions.length);
  });
});
