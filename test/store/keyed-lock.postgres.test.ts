/** The keyed lock across instances: two stores on one PostgreSQL database take turns on a key. */
import { describe, expect, it, onTestFinished } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { freshDatabaseUrl } from '../support/test-store.js';
import { overlapping, serial } from './support/keyed-lock-spans.js';

describe('keyed lock across instances', () => {
  it('two stores on one database take turns on a key, and a key of one does not hold up another key of the other', async () => {
    const url = await freshDatabaseUrl();
    const stores = await Promise.all([openStore(url), openStore(url)]);
    onTestFinished(() => Promise.all(stores.map((s) => s.close())).then(() => undefined));
    expect(serial(await overlapping(stores, 'session:shared', 8))).toBe(true);
    const spans = (await Promise.all([overlapping([stores[0]!], 'session:one', 1), overlapping([stores[1]!], 'session:two', 1)])).flat();
    expect(serial(spans)).toBe(false);
  });
});
