// FROZEN: the exact text migration 004-session-lists (numbered 003-session-lists until 2026-12-03)
// ran on PostgreSQL. Never edit a statement here: databases already hold what it built
// (test/store/frozen-schema.test.ts). A change is a new migration.
import { NO_CHANGE, type SchemaStep, type SearchSchema } from '../search-schema.js';

// The log text is kept in a column by a trigger (a generated column cannot aggregate a JSON
// array), and pg_trgm GIN indexes answer ILIKE '%…%' on it and on the addresses.
const trigramIndexes: SchemaStep = Object.freeze({
  up: Object.freeze([
    `CREATE EXTENSION IF NOT EXISTS pg_trgm`,
    `ALTER TABLE sessions ADD COLUMN log_text text`,
    `CREATE FUNCTION sessions_log_text() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         NEW.log_text := (SELECT string_agg(e->>'message', E'\\n' ORDER BY n)
                          FROM jsonb_array_elements(CASE WHEN jsonb_typeof(NEW.document::jsonb->'log') = 'array'
                                                         THEN NEW.document::jsonb->'log' ELSE '[]'::jsonb END)
                               WITH ORDINALITY AS l(e, n));
         RETURN NEW;
       END $$`,
    `CREATE TRIGGER sessions_log_text BEFORE INSERT OR UPDATE OF document ON sessions FOR EACH ROW EXECUTE FUNCTION sessions_log_text()`,
    `UPDATE sessions SET document = document`,
    `CREATE INDEX sessions_log_trgm ON sessions USING gin (log_text gin_trgm_ops)`,
    `CREATE INDEX sessions_from_trgm ON sessions USING gin (from_address gin_trgm_ops)`,
    `CREATE INDEX sessions_to_trgm ON sessions USING gin (to_address gin_trgm_ops)`,
  ]),
  down: Object.freeze([]),
});

/**
 * PostgreSQL keeps 004's layout: one GIN index over one `log_text` column per session answers
 * every scope, and a GIN index takes a write's trigrams at the write's cost (fastupdate), so the
 * SQLite engine's chunks, notes and cheaper triggers have nothing to change here.
 */
export const postgresSearchSchema: SearchSchema = Object.freeze({
  wholeLogIndex: trigramIndexes,
  logChunks: NO_CHANGE,
  deferredIndexing: NO_CHANGE,
  readTextOnce: NO_CHANGE,
});
