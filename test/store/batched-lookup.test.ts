import { describe, expect, it } from 'vitest';
import { BatchedLookup } from '../../src/store/batched-lookup.js';

/** A loader over a fixed table that records the batches it was asked for. */
function table(rows: Record<string, string>, fail?: (keys: readonly string[]) => boolean) {
  const batches: string[][] = [];
  const lookup = new BatchedLookup<string, string>(async (keys) => {
    batches.push([...keys]);
    if (fail?.(keys)) throw new Error('store unavailable');
    return new Map(keys.filter((k) => k in rows).map((k) => [k, rows[k]!]));
  }, 3);
  return { lookup, batches };
}

describe('BatchedLookup', () => {
  it('answers the lookups of one turn with one load, each with its own value', async () => {
    const { lookup, batches } = table({ a: 'A', b: 'B' });
    const answers = await Promise.all([lookup.get('a'), lookup.get('b'), lookup.get('a'), lookup.get('zz')]);
    expect(answers).toEqual(['A', 'B', 'A', undefined]);
    expect(batches).toEqual([['a', 'b', 'zz']]);
  });

  it('splits a turn larger than the batch size and starts a new batch on the next turn', async () => {
    const { lookup, batches } = table({ a: 'A', e: 'E' });
    const first = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((k) => lookup.get(k)));
    expect(first).toEqual(['A', undefined, undefined, undefined, 'E']);
    expect(await lookup.get('a')).toBe('A');
    expect(batches).toEqual([['a', 'b', 'c'], ['d', 'e'], ['a']]);
  });

  it('fails only the lookups whose batch failed', async () => {
    const { lookup } = table({ a: 'A', d: 'D' }, (keys) => keys.includes('b'));
    const answers = await Promise.allSettled(['a', 'b', 'c', 'd'].map((k) => lookup.get(k)));
    expect(answers.map((a) => a.status)).toEqual(['rejected', 'rejected', 'rejected', 'fulfilled']);
    expect(await lookup.get('a')).toBe('A');
  });
});
