import type { Kysely } from 'kysely';

/**
 * The names migrations had until 2026-12-03, when two pairs shared the numbers 003 and 004 (two
 * branches each added theirs), and the names they have now: every migration after `003-auth`
 * moved up to a number of its own, in the order they always ran. Kysely records each executed
 * migration by name in `kysely_migration` and refuses to run when a recorded name is no longer
 * provided, so a database migrated before the renumbering has its records renamed first
 * (`renameRecordedMigrations`). Never remove an entry: a database may wait years for its upgrade.
 */
export const FORMER_MIGRATION_NAMES: Readonly<Record<string, string>> = Object.freeze({
  '003-session-lists': '004-session-lists',
  '004-search-log-chunks': '005-search-log-chunks',
  '004-search-subtree-index': '006-search-subtree-index',
  '005-search-deferred-index': '007-search-deferred-index',
  '006-drop-unused-session-indexes': '008-drop-unused-session-indexes',
  '007-search-read-text-once': '009-search-read-text-once',
  '008-directory-evo-fields': '010-directory-evo-fields',
  '009-stream-changes': '011-stream-changes',
  '010-lifecycle-audits': '012-lifecycle-audits',
  '011-twilio-account-sid-unique': '013-twilio-account-sid-unique',
  '012-session-key-secret': '014-session-key-secret',
  '013-chat-conversation-indexes': '015-chat-conversation-indexes',
});

interface MigrationRecords {
  kysely_migration: { name: string };
}

/**
 * Renames a database's records of migrations run under a former name (`FORMER_MIGRATION_NAMES`),
 * in one transaction, before the migrator reads them; nothing to do on a new database or one
 * already renamed. No former name is anyone's name now, so the renames never collide, and two
 * instances starting at once rename each record once (the second finds it renamed).
 */
export async function renameRecordedMigrations<DB>(db: Kysely<DB>): Promise<void> {
  const records = db as unknown as Kysely<MigrationRecords>;
  const tables = await db.introspection.getTables({ withInternalKyselyTables: true });
  if (!tables.some((table) => table.name === 'kysely_migration')) return;
  const former = Object.keys(FORMER_MIGRATION_NAMES);
  const found = await records.selectFrom('kysely_migration').select('name').where('name', 'in', former).execute();
  if (!found.length) return;
  await records.transaction().execute(async (trx) => {
    for (const { name } of found) {
      await trx.updateTable('kysely_migration').set({ name: FORMER_MIGRATION_NAMES[name]! }).where('name', '=', name).execute();
    }
  });
}
