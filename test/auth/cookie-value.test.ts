import { describe, expect, it } from 'vitest';
import { cookieValue } from '../../src/auth/cookies.js';

describe('cookieValue reads what real clients send', () => {
  it("skips the Node client's junk cookie and finds the sign-in cookies around it", () => {
    const header = 'ss-id=abc; 01 Jan 2100 00:00:00 GMT=null; ss-pid=def; ss-opt=perm';
    expect(cookieValue(header, 'ss-id')).toBe('abc');
    expect(cookieValue(header, 'ss-pid')).toBe('def');
    expect(cookieValue(header, 'ss-opt')).toBe('perm');
    expect(cookieValue(header, 'GMT')).toBeUndefined();
  });

  it('unquotes and percent-decodes, and skips a value that cannot be decoded', () => {
    expect(cookieValue('a="x y"', 'a')).toBe('x y');
    expect(cookieValue('a=%41%42', 'a')).toBe('AB');
    expect(cookieValue('a=%E0%A4%A; a=good', 'a')).toBe('good');
  });

  it('takes the first good pair of a name; ignores pairs without = and empty names', () => {
    expect(cookieValue('x; =y; a=1; a=2', 'a')).toBe('1');
    expect(cookieValue(';;;', 'a')).toBeUndefined();
    expect(cookieValue('', 'a')).toBeUndefined();
  });

  it('reads only the first 8 KiB', () => {
    expect(cookieValue(`pad=${'x'.repeat(9000)}; a=late`, 'a')).toBeUndefined();
    expect(cookieValue(`a=early; pad=${'x'.repeat(9000)}`, 'a')).toBe('early');
  });
});
