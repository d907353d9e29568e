/**
 * The store's keyed lock (keyed-lock.ts), on the file's store: one task at a time per key, keys
 * independent, a failed task lets the next one in. Across instances: keyed-lock.postgres.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { openTestStore } from '../support/test-store.js';
import { overlapping, serial } from './support/keyed-lock-spans.js';

describe('keyed lock', () => {
  it('runs one task at a time per key, and different keys side by side', async () => {
    const store = await openTestStore();
    expect(serial(await overlapping([store], 'session:a', 6))).toBe(true);
    // Tasks on different keys are in at the same time: one started before another ended.
    const spans = (await Promise.all(['session:b', 'session:c', 'session:d'].map((key) => overlapping([store], key, 1)))).flat();
    expect(serial(spans)).toBe(false);
  });

  it('a task that fails lets the next one in, and its error reaches its caller', async () => {
    const store = await openTestStore();
    const failed = store.keyedLock.run('session:x', async () => {
      throw new Error('refused');
    });
    await expect(failed).rejects.toThrow('refused');
    expect(await store.keyedLock.run('session:x', async () => 'next')).toBe('next');
  });
});
