import { sql, type Kysely } from 'kysely';

/**
 * One migration's change to a search engine's schema: statements run in order, each the frozen
 * text that migration always ran (an engine's `schema/` folder). A migration never changes what it
 * built, so nothing here is assembled from parts that a later edit could move.
 */
export interface SchemaStep {
  readonly up: readonly string[];
  readonly down: readonly string[];
}

/**
 * The migrations that build a store's text search, each with its engine's step (empty where the
 * engine has nothing to change): chosen once with the store's capabilities, so a migration runs
 * its step and never asks which store it is on.
 */
export interface SearchSchema {
  /** Migration `session-lists`: the first index, one entry per session. */
  readonly wholeLogIndex: SchemaStep;
  /** Migration `search-log-chunks`: log text indexed once per appended batch of lines, by account and archive state. */
  readonly logChunks: SchemaStep;
  /** Migration `search-deferred-index`: writes note what to index; a background indexer indexes it in batches. */
  readonly deferredIndexing: SchemaStep;
  /** Migration `search-read-text-once`: noting a write, and indexing a note, each read the session's text once. */
  readonly readTextOnce: SchemaStep;
}

/** No change on this engine. */
export const NO_CHANGE: SchemaStep = Object.freeze({ up: Object.freeze([]), down: Object.freeze([]) });

/** Runs a step's statements in order (inside the migration's transaction where the store has one). */
export async function runStatements(db: Kysely<unknown>, statements: readonly string[]): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
