import { describe, expect, it } from 'vitest';
import { FoldCache, matches, type CachedFold } from '../../src/events/fold-cache.js';
import { sessionRow } from '../../src/sessions/session-row.js';

/** A cached fold of `events` ledger rows, weighing `ledgerChars` plus its small document. */
const fold = (ledgerChars: number, events = 1, version = 1, firstSeq = 1): CachedFold => ({
  version,
  events: Array.from({ length: events }, () => ({ accountId: 'a', sessionId: 's', dedupeKey: 'k', source: 't', occurredAt: '', sequence: null, actor: null, event: { type: 'LogAppended', message: '' } })),
  firstSeq,
  row: { ...sessionRow({ id: 's', accountId: 'a' }, version), document: '' },
  ledgerChars,
});

describe('FoldCache', () => {
  it('evicts the least recently used entries once over its weight', () => {
    const cache = new FoldCache(160);
    cache.set('a', fold(10));
    cache.set('b', fold(10));
    cache.get('a');
    for (const key of ['c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o', 'p', 'q']) cache.set(key, fold(10));
    expect(cache.size).toBe(16);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBeDefined();
  });

  it('does not keep an entry that would take more than a sixteenth of it', () => {
    const cache = new FoldCache(160);
    cache.set('small', fold(10));
    cache.set('big', fold(11));
    expect(cache.get('big')).toBeUndefined();
    expect(cache.get('small')).toBeDefined();
  });

  it('replaces an entry without counting it twice', () => {
    const cache = new FoldCache(160);
    for (let i = 0; i < 100; i++) cache.set('a', fold(10, 1, i));
    cache.set('b', fold(10));
    expect(cache.get('a')?.version).toBe(99);
    expect(cache.size).toBe(2);
  });
});

describe('matches', () => {
  const cached = fold(0, 3, 2, 40);
  it('holds only for the same version, ledger size and first ledger row', () => {
    expect(matches(cached, { version: 2, events: 3, firstSeq: 40 })).toBe(true);
    expect(matches(cached, { version: 3, events: 3, firstSeq: 40 })).toBe(false);
    expect(matches(cached, { version: 2, events: 4, firstSeq: 40 })).toBe(false);
    // Deleted and re-created up to the same version and size: its rows are newer.
    expect(matches(cached, { version: 2, events: 3, firstSeq: 97 })).toBe(false);
  });
});
