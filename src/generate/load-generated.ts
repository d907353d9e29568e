import type { Kysely } from 'kysely';
import { sessionWriter, type SessionWriter, type WholeSession } from '../events/session-writer.js';
import type { Store } from '../store/open-store.js';
import type { Database } from '../store/schema.js';
import { generatedCustomers, generateSessions, type GeneratorOptions } from './generate-sessions.js';

/** Sessions handed to the writer at once: it writes them in transactions of its own size. */
const BATCH = 1000;

/**
 * Writes generated sessions (and each account's customer tree) as sessions that arrive whole: each
 * with its `SessionImported` ledger row, the row folded from it, so later events fold onto it. The
 * search index is brought up to date once at the end (the store's bulk-load path).
 */
export async function loadGenerated(store: Pick<Store, 'db' | 'capabilities'>, options: GeneratorOptions, progress: (loaded: number) => void = () => {}): Promise<number> {
  // Ingested "at" the generated data's end, so a rerun on the same day writes the same ledger.
  const writer = sessionWriter(store, { now: () => options.endAt });
  return store.capabilities.textSearch.bulkLoad(store.db, () => load(store.db, writer, options, progress));
}

async function load(db: Kysely<Database>, writer: SessionWriter, options: GeneratorOptions, progress: (loaded: number) => void): Promise<number> {
  const now = options.endAt.toISOString();
  const customers = generatedCustomers(options, now);
  for (let i = 0; i < customers.length; i += BATCH) {
    await db.insertInto('customers').values(customers.slice(i, i + BATCH)).onConflict((oc) => oc.doNothing()).execute();
  }
  let loaded = 0;
  let writes: WholeSession[] = [];
  const flush = async () => {
    const batch = writes;
    writes = [];
    await writer.writeWhole(batch, { stream: false });
    loaded += batch.length;
    progress(loaded);
  };
  for (const { session, parentSessionId } of generateSessions(options)) {
    writes.push({ session, source: 'generate', links: { parentSessionId } });
    if (writes.length >= BATCH) await flush();
  }
  if (writes.length) await flush();
  return loaded;
}
