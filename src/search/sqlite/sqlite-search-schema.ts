import type { SearchSchema } from '../search-schema.js';
import { deferredIndexing } from './schema/deferred-indexing.js';
import { logChunks } from './schema/log-chunks.js';
import { readTextOnce } from './schema/read-text-once.js';
import { wholeLogIndex } from './schema/whole-log-index.js';

/** The SQLite search engine's tables and triggers, migration by migration (README.md: what each costs). */
export const sqliteSearchSchema: SearchSchema = Object.freeze({
  wholeLogIndex,
  logChunks,
  deferredIndexing,
  readTextOnce,
});
