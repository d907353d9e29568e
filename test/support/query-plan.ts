import { sql, type Compilable } from 'kysely';
import type { Store } from '../../src/store/open-store.js';

/**
 * The plan a query runs with, as text: SQLite's EXPLAIN QUERY PLAN details, or PostgreSQL's EXPLAIN
 * with sequential scans forbidden (tiny tables make one cheapest; forbidding it proves an index can answer).
 */
export async function queryPlan(store: Store, query: Compilable): Promise<string> {
  const compiled = query.compile();
  if (store.capabilities.kind === 'postgres') {
    return store.db.transaction().execute(async (trx) => {
      await sql`SET LOCAL enable_seqscan = off`.execute(trx);
      const { rows } = await trx.executeQuery<{ 'QUERY PLAN': string }>({ ...compiled, sql: 'EXPLAIN ' + compiled.sql });
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    });
  }
  const { rows } = await store.db.executeQuery<{ detail: string }>({ ...compiled, sql: 'EXPLAIN QUERY PLAN ' + compiled.sql });
  return rows.map((r) => r.detail).join('\n');
}
