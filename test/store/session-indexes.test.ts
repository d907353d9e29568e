import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { freshDatabaseUrl, migrateTo } from '../support/test-store.js';

describe('migration 008 drops the session indexes no query reads', () => {
  it('removes the call and conference SID indexes, and puts them back when undone', async () => {
    const store = await openStore(await freshDatabaseUrl(), { indexInBackground: false });
    try {
      await store.migrate();
      const indexes = async () => {
        const { rows } =
          store.capabilities.kind === 'sqlite'
            ? await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'sessions'`.execute(store.db)
            : await sql<{ name: string }>`SELECT indexname AS name FROM pg_indexes WHERE tablename = 'sessions'`.execute(store.db);
        return rows.map((row) => row.name).filter((name) => /sid/.test(name)).sort();
      };
      expect(await indexes()).toEqual([]);
      await migrateTo(store, '007-search-deferred-index');
      expect(await indexes()).toEqual(['sessions_call_sid', 'sessions_conference_sid']);
    } finally {
      await store.close();
    }
  });
});
