import type { Kysely } from 'kysely';
import { insertSnapshots, snapshotWrite, type SnapshotWrite } from '../events/snapshot-writes.js';
import type { Database } from '../store/schema.js';
import type { TextSearch } from '../search/text-search.js';
import { generatedCustomers, generateSessions, type GeneratorOptions } from './generate-sessions.js';

// SQLite allows 32766 bound values per statement; a sessions row has 17 columns, a ledger row 10.
const BATCH = 1000;

/**
 * Writes generated sessions (and each account's customer tree) as sessions that arrive whole: each
 * with its `SessionImported` ledger row, the row folded from it, so later events fold onto it. The
 * search index is brought up to date once at the end (the store's bulk-load path).
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
  let writes: SnapshotWrite[] = [];
  const flush = async () => {
    const batch = writes;
    writes = [];
    await db.transaction().execute((trx) => insertSnapshots(trx, batch, false));
    loaded += batch.length;
    progress(loaded);
  };
  for (const { session, parentSessionId } of generateSessions(options)) {
    writes.push(snapshotWrite(session, 'generate', now, { parentSessionId }));
    if (writes.length >= BATCH) await flush();
  }
  if (writes.length) await flush();
  return loaded;
}
