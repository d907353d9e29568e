import type { Kysely } from 'kysely';
import { sessionRow } from '../sessions/session-row.js';
import type { Database } from '../store/schema.js';
import type { TextSearch } from '../store/text-search.js';
import { generatedCustomers, generateSessions, type GeneratorOptions } from './generate-sessions.js';

// SQLite allows 32766 bound values per statement; a sessions row has 18 columns.
const BATCH = 1000;

/**
 * Writes generated sessions (and each account's customer tree) through the ordinary row mapping;
 * the search index is brought up to date once at the end (the store's bulk-load path).
 */
export async function loadGenerated(
  db: Kysely<Database>,
  textSearch: TextSearch,
  options: GeneratorOptions,
  progress: (loaded: number) => void = () => {},
): Promise<number> {
  return textSearch.bulkLoad(db, () => load(db, options, progress));
}

async function load(db: Kysely<Database>, options: GeneratorOptions, progress: (loaded: number) => void): Promise<number> {
  const now = options.endAt.toISOString();
  const customers = generatedCustomers(options, now);
  for (let i = 0; i < customers.length; i += BATCH) {
    await db.insertInto('customers').values(customers.slice(i, i + BATCH)).onConflict((oc) => oc.doNothing()).execute();
  }
  let loaded = 0;
  let rows: ReturnType<typeof sessionRow>[] = [];
  const flush = async () => {
    const batch = rows;
    rows = [];
    await db.transaction().execute((trx) => trx.insertInto('sessions').values(batch).onConflict((oc) => oc.doNothing()).execute());
    loaded += batch.length;
    progress(loaded);
  };
  for (const { session, parentSessionId } of generateSessions(options)) {
    rows.push(sessionRow(session, 1, { parentSessionId }));
    if (rows.length >= BATCH) await flush();
  }
  if (rows.length) await flush();
  return loaded;
}
