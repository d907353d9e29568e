import { sql, type SelectQueryBuilder } from 'kysely';
import type { Page } from './list-paging.js';

/**
 * One page of a directory list and the count of every match: the filtered query run twice, sorted
 * by `sortColumn` (ties broken by id, so pages never overlap).
 */
export async function pagedRows<DB, TB extends keyof DB, Row>(
  query: SelectQueryBuilder<DB, TB, object>,
  sortColumn: string,
  page: Page,
): Promise<{ rows: Row[]; total: number }> {
  // Generic over the table, Kysely cannot name the selection: the count comes back as `n`.
  const counted = (await query.select(sql<number | string>`count(*)`.as('n')).executeTakeFirstOrThrow()) as { n: number | string };
  const rows = await query
    .selectAll()
    .orderBy(sql.ref(sortColumn), page.descending ? 'desc' : 'asc')
    .orderBy(sql.ref('id'))
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  return { rows: rows as Row[], total: Number(counted.n) };
}
