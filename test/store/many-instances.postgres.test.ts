import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { freshDatabaseUrl } from '../support/test-store.js';
import pg from 'pg';

describe('many instances on one PostgreSQL', () => {
  it.each([1,2,3,4,5,6,7,8])('migrate from several instances at once on an empty database %i', async () => {
    const url = await freshDatabaseUrl();
    const c = new pg.Client({ connectionString: url }); await c.connect();
    await c.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public'); await c.end();
    const stores = await Promise.all([1, 2, 3, 4].map(() => openStore(url)));
    const r = await Promise.allSettled(stores.map((s) => s.migrate()));
    await Promise.all(stores.map((s) => s.close()));
    expect(r.map((x) => x.status === 'rejected' ? String(x.reason) : 'ok')).toEqual(['ok', 'ok', 'ok', 'ok']);
  });
});
