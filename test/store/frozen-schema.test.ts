import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { DEFAULT_GENERATOR } from '../../src/generate/generate-sessions.js';
import { loadGenerated } from '../../src/generate/load-generated.js';
import { migrations } from '../../src/store/migrations.js';
import { openStore } from '../../src/store/open-store.js';
import { readFixture } from '../support/fixtures.js';
import { schemaDigest, schemaDump, schemaEntries } from '../support/schema-dump.js';
import { dialect, freshDatabaseUrl, migrateTo } from '../support/test-store.js';

/** What every migration built on 2026-12-03 (test/fixtures/README.md): the schema after each step up, then each step down. */
interface Steps {
  readonly migrations: readonly string[];
  readonly up: readonly string[];
  readonly down: readonly string[];
}

const steps = JSON.parse(readFixture(`schema/${dialect}-schema-steps.json`)) as Steps;

// Migrations never change what they built: an old database and a new one must end with the same
// schema whatever code builds it now. The DDL is frozen text (src/search/sqlite/schema/ for the
// search engine), and this pins it to what the migrations built before it was frozen.
describe('every migration builds the schema it always built', () => {
  it('step by step up, then down again, the schema is byte for byte the one dumped before the DDL was frozen', async () => {
    const store = await openStore(await freshDatabaseUrl(), { indexInBackground: false });
    try {
      // A leased PostgreSQL database comes migrated (a copy of the template): start from nothing.
      if (dialect === 'postgres') await sql`DROP SCHEMA public CASCADE; CREATE SCHEMA public`.execute(store.db);
      // The migrations that existed when the schema was dumped; later ones are pinned by their own tests.
      const names = Object.keys(migrations(store.capabilities)).sort().slice(0, steps.migrations.length);
      const up: string[] = [];
      for (const name of names) {
        await migrateTo(store, name);
        up.push(schemaDigest(await schemaDump(store)));
      }
      expect(await schemaDump(store)).toBe(readFixture(`schema/${dialect}-schema.sql`));
      const down: string[] = [];
      for (const name of names.slice(0, -1).reverse()) {
        await migrateTo(store, name);
        down.push(schemaDigest(await schemaDump(store)));
      }
      expect({ up, down }).toEqual({ up: steps.up, down: steps.down });
    } finally {
      // PostgreSQL's downs leave columns behind: the leased database goes back rebuilt, as leased.
      if (dialect === 'postgres') await sql`DROP SCHEMA public CASCADE; CREATE SCHEMA public`.execute(store.db).then(() => store.migrate());
      await store.close();
    }
  });

  it('a bulk load leaves the schema as the migrations built it (its insert trigger made again, so last in sqlite_master)', async () => {
    const store = await openStore(await freshDatabaseUrl(), { indexInBackground: false });
    try {
      await store.migrate();
      const migrated = schemaEntries(await schemaDump(store));
      await loadGenerated(store, { ...DEFAULT_GENERATOR, sessions: 50, accounts: 1, endAt: new Date('2026-11-27T00:00:00Z') });
      expect(schemaEntries(await schemaDump(store))).toEqual(migrated);
    } finally {
      await store.close();
    }
  });
});
