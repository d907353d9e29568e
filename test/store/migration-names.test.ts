import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { SessionInfo } from '../../src/model/session-info.js';
import { SessionListRepository } from '../../src/sessions/list-repository.js';
import { FORMER_MIGRATION_NAMES } from '../../src/store/migration-renames.js';
import { migrations } from '../../src/store/migrations.js';
import { openStore, type Store } from '../../src/store/open-store.js';
import { readFixture } from '../support/fixtures.js';
import { schemaDump, schemaEntries } from '../support/schema-dump.js';
import { freshDatabaseUrl } from '../support/test-store.js';
import { sqliteCapabilities } from '../../src/store/capabilities.js';

const names = Object.keys(migrations(sqliteCapabilities)).sort();

/** The migrations a database records as run, by name, with when each ran. */
async function recorded(store: Store) {
  const { rows } = await sql<{ name: string; timestamp: string }>`SELECT name, timestamp FROM kysely_migration ORDER BY name`.execute(store.db);
  return rows;
}

async function searchLog(store: Store, log: string, searchArchive = false) {
  const lists = new SessionListRepository(store.db, store.capabilities.textSearch);
  const page = await lists.page({ accountIds: 'all', searchArchive, log }, { field: 'id', order: 'Ascend' }, 0, 100);
  return page.map((document) => (JSON.parse(document) as SessionInfo).id);
}

/** What a new database gets from today's migrations. */
async function newDatabaseSchema() {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-new-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const store = await openStore(join(dir, 'new.db'), { indexInBackground: false });
  try {
    await store.migrate();
    return await schemaDump(store);
  } finally {
    await store.close();
  }
}

describe('every migration has a number of its own', () => {
  it('numbers them 001, 002, … in the order they run, each once', () => {
    expect(names.map((name) => name.slice(0, 3))).toEqual(names.map((_, i) => String(i + 1).padStart(3, '0')));
  });

  it('knows every former name, in the same order as the names they became, and no former name is a name now', () => {
    const former = Object.keys(FORMER_MIGRATION_NAMES);
    expect(Object.values(FORMER_MIGRATION_NAMES)).toEqual(names.slice(3, 3 + former.length));
    expect(former).toEqual([...former].sort());
    expect(former.filter((name) => names.includes(name))).toEqual([]);
  });
});

describe('a database migrated before the renumbering', () => {
  it('(SQLite, made by the code of 2026-12-03) upgrades in place: its records renamed, nothing run again, its sessions and search notes kept, its schema what a new database gets', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-old-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'old.db');
    copyFileSync(fileURLToPath(new URL('../fixtures/schema/sqlite-013-before-renumbering.db', import.meta.url)), file);
    const store = await openStore(file, { indexInBackground: false });
    try {
      const before = await recorded(store);
      expect(before.map((r) => r.name)).toEqual(JSON.parse(readFixture('schema/sqlite-schema-steps.json')).migrations);
      await store.migrate();
      const after = await recorded(store);
      expect(after.map((r) => r.name)).toEqual(names);
      // Each record is the one that was there, renamed: the same time it ran. Migrations added
      // since ran now, after them.
      const renamed = after.slice(0, before.length);
      expect(renamed.map((r) => r.timestamp).sort()).toEqual(before.map((r) => r.timestamp).sort());
      expect(after.slice(before.length).every((r) => before.every((old) => r.timestamp > old.timestamp))).toBe(true);
      // Its objects in VACUUM's order (tables first), each defined as a new database's.
      expect(schemaEntries(await schemaDump(store))).toEqual(schemaEntries(await newDatabaseSchema()));
      // `old-noted`'s last write was still noted for the indexer: found from its row, then from the index.
      expect(await store.db.selectFrom('session_search_pending' as never).select(sql<number>`count(*)`.as('n')).executeTakeFirst()).toEqual({ n: 1 });
      for (const indexed of [false, true]) {
        if (indexed) await store.capabilities.textSearch.indexPending!(store.db, 100);
        expect(await searchLog(store, 'answered by')).toEqual(['old-live', 'old-noted']);
        expect(await searchLog(store, 'GATEWAY timeout on the secondary')).toEqual(['old-live']);
        expect(await searchLog(store, 'voicemail')).toEqual([]);
        expect(await searchLog(store, 'voicemail', true)).toEqual(['old-archived']);
      }
      await store.migrate();
      expect(await recorded(store)).toEqual(after);
    } finally {
      await store.close();
    }
  });

  it('(either store) runs none of its migrations again and keeps working', async () => {
    const url = await freshDatabaseUrl();
    const store = await openStore(url, { indexInBackground: false });
    try {
      await store.migrate();
      const migrated = await recorded(store);
      // The records as the code before the renumbering left them (its schema is this one: frozen-schema.test.ts).
      for (const [former, now] of Object.entries(FORMER_MIGRATION_NAMES)) {
        await sql`UPDATE kysely_migration SET name = ${former} WHERE name = ${now}`.execute(store.db);
      }
      await store.migrate();
      expect(await recorded(store)).toEqual(migrated);
    } finally {
      await store.close();
    }
  });
});
