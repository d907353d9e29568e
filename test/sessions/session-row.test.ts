import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoDate } from '../../src/sessions/session-row.js';

/** What `isoDate` did before its fast path for canonical dates: parse, then write. */
function throughDate(value: string): string {
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? value : new Date(ms).toISOString();
}

const digits = (n: number, max: number) => fc.integer({ min: 0, max }).map((v) => String(v).padStart(n, '0'));

describe('isoDate', () => {
  it('is what parsing and writing a Date gives, for dates in and out of range', () => {
    // Fields a little beyond their ranges too: Feb 29–31, day 0, month 13, hour 24, second 60.
    const nearlyCanonical = fc
      .tuple(fc.oneof(digits(4, 9999), fc.constantFrom('2024', '2026', '1900', '2000', '0000')), digits(2, 13), digits(2, 32), digits(2, 24), digits(2, 60), digits(2, 60), digits(3, 999), fc.constantFrom('Z', '', '+01:00', 'z'))
      .map(([y, mo, d, h, mi, s, ms, zone]) => `${y}-${mo}-${d}T${h}:${mi}:${s}.${ms}${zone}`);
    fc.assert(fc.property(nearlyCanonical, (value) => {
        expect(isoDate(value)).toBe(throughDate(value));
      }), { numRuns: 5_000 });
  });

  it('normalizes other spellings and keeps what is not a date', () => {
    for (const value of ['2026-11-27T14:03:11Z', '2026-02-29T00:00:00.000Z', '2024-02-29T23:59:59.999Z', '2026-04-31T10:00:00.000Z', 'Fri, 27 Nov 2026 14:03:11 GMT', 'soon']) {
      expect(isoDate(value)).toBe(throughDate(value));
    }
    expect(isoDate('2026-11-27T14:03:11Z')).toBe('2026-11-27T14:03:11.000Z');
    expect(isoDate(undefined)).toBeNull();
    expect(isoDate('')).toBeNull();
  });
});
