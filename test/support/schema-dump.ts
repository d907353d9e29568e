import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Store } from '../../src/store/open-store.js';
import type { Database } from '../../src/store/schema.js';

/**
 * The store's schema as text, every object's definition as the database keeps it: on SQLite the
 * rows of `sqlite_master` in their own order (type, name, table, SQL; not the root page, which is
 * where a table happens to lie in the file); on PostgreSQL the columns, constraints, indexes,
 * triggers and functions of `public`, from the catalog. Two stores with the same text were built
 * by the same DDL.
 */
export async function schemaDump(store: Store): Promise<string> {
  return store.capabilities.kind === 'sqlite' ? sqliteSchema(store.db) : postgresSchema(store.db);
}

/** A short digest of `schemaDump`, for the schema after each migration step. */
export const schemaDigest = (dump: string) => createHash('sha256').update(dump).digest('hex').slice(0, 16);

async function sqliteSchema(db: Kysely<Database>): Promise<string> {
  const { rows } = await sql<{ type: string; name: string; tbl_name: string; sql: string | null }>`SELECT type, name, tbl_name, sql FROM sqlite_master`.execute(db);
  return rows.map((r) => `-- ${r.type} ${r.name} on ${r.tbl_name}\n${r.sql ?? '(no sql)'};\n`).join('\n');
}

async function postgresSchema(db: Kysely<Database>): Promise<string> {
  const sections: [string, string][] = [
    [
      'columns',
      `SELECT table_name || '.' || column_name || ' ' || data_type || CASE WHEN is_nullable = 'NO' THEN ' NOT NULL' ELSE '' END || coalesce(' DEFAULT ' || column_default, '') AS line
       FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`,
    ],
    [
      'constraints',
      `SELECT c.conrelid::regclass::text || ' ' || c.conname || ' ' || pg_get_constraintdef(c.oid) AS line
       FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = 'public' ORDER BY 1`,
    ],
    ['indexes', `SELECT indexdef AS line FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname`],
    ['triggers', `SELECT pg_get_triggerdef(t.oid) AS line FROM pg_trigger t JOIN pg_class r ON r.oid = t.tgrelid JOIN pg_namespace n ON n.oid = r.relnamespace WHERE n.nspname = 'public' AND NOT t.tgisinternal ORDER BY t.tgname`],
    ['functions', `SELECT pg_get_functiondef(p.oid) AS line FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public' AND p.prokind = 'f' AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e') ORDER BY p.proname`],
    ['extensions', `SELECT extname AS line FROM pg_extension ORDER BY extname`],
  ];
  const parts: string[] = [];
  for (const [title, query] of sections) {
    const { rows } = await sql<{ line: string }>`${sql.raw(query)}`.execute(db);
    parts.push(`-- ${title}\n${rows.map((r) => r.line).join('\n')}\n`);
  }
  return parts.join('\n');
}

/**
 * A dump's definitions, sorted: for a database whose objects sit in another order than a freshly
 * migrated one's (VACUUM writes tables first; a bulk load makes a trigger again, last).
 */
export const schemaEntries = (dump: string) => dump.trim().split('\n\n').sort();
