import pg from 'pg';
import { describe, expect, it, onTestFinished } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { adminCookie } from '../support/directory.js';
import { goldenSession } from '../support/fixtures.js';
import { startInstance } from '../support/instances.js';
import { freshDatabaseUrl } from '../support/test-store.js';
import { storeWhole } from '../support/sessions.js';

const golden = goldenSession();

describe('many switchboard instances on one PostgreSQL', () => {
  it('start together on an empty database: one migrates, the others wait and find it done', async () => {
    const url = await freshDatabaseUrl();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
    await client.end();

    const stores = await Promise.all([1, 2, 3, 4].map(() => openStore(url)));
    const outcomes = await Promise.allSettled(stores.map((s) => s.migrate()));
    await Promise.all(stores.map((s) => s.close()));
    expect(outcomes.map((o) => (o.status === 'rejected' ? String(o.reason) : 'migrated'))).toEqual(['migrated', 'migrated', 'migrated', 'migrated']);
  });

  it('serve the same data: a session written by one is read on the other at once', async () => {
    const url = await freshDatabaseUrl();
    const [a, b] = await Promise.all([startInstance(url), startInstance(url)]);
    // Until an HTTP write path lands, the writes come from a third client of the same database.
    const writer = await openStore(url);
    onTestFinished(() => writer.close());
    const headers = { cookie: await adminCookie(writer) };
    expect((await fetch(`${a.url}/sessions/${golden.id}`, { headers })).status).toBe(404);
    expect((await fetch(`${b.url}/sessions/${golden.id}`, { headers })).status).toBe(404);

    await storeWhole(writer, golden);
    for (const instance of [a, b]) {
      const res = await fetch(`${instance.url}/sessions/${golden.id}`, { headers });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual(golden);
    }
  });
});
