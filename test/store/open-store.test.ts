import { describe, expect, it } from 'vitest';
import { printableDatabaseUrl } from '../../src/store/open-store.js';

describe('printableDatabaseUrl', () => {
  it('hides a PostgreSQL password and leaves everything else as written', () => {
    expect(printableDatabaseUrl('postgres://sb:s3cr%40t:x@db.internal:5432/switchboard')).toBe('postgres://sb:***@db.internal:5432/switchboard');
    expect(printableDatabaseUrl('postgresql://sb@db/switchboard')).toBe('postgresql://sb@db/switchboard');
    expect(printableDatabaseUrl('./data/switchboard.db')).toBe('./data/switchboard.db');
    expect(printableDatabaseUrl(':memory:')).toBe(':memory:');
  });
});
