import { sql, type Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import type { TextSearch } from '../store/text-search.js';
import { SORT_COLUMNS, sessionConditions, type SessionQuery, type SessionSort } from './list-query.js';

/** Reads lists of sessions: counts and pages of canonical documents, and the customer tree they filter by. */
export class SessionListRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly textSearch: TextSearch,
  ) {}

  /** The query a page runs, exposed so tests can EXPLAIN it. */
  pageQuery(query: SessionQuery, sort: SessionSort, offset: number, limit: number) {
    const column = SORT_COLUMNS[sort.field];
    const direction = sort.order === 'Ascend' ? 'asc' : 'desc';
    let select = this.db
      .selectFrom('sessions as s')
      .select('s.document')
      .where(sessionConditions(query, this.textSearch))
      .orderBy(`s.${column}`, direction);
    if (column !== 'id') select = select.orderBy('s.id', direction);
    return select.limit(limit).offset(offset);
  }

  countQuery(query: SessionQuery) {
    return this.db
      .selectFrom('sessions as s')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where(sessionConditions(query, this.textSearch));
  }

  /** Canonical JSON documents of one page, in order. */
  async page(query: SessionQuery, sort: SessionSort, offset: number, limit: number): Promise<string[]> {
    const rows = await this.pageQuery(query, sort, offset, limit).execute();
    return rows.map((r) => r.document);
  }

  async count(query: SessionQuery): Promise<number> {
    const { n } = await this.countQuery(query).executeTakeFirstOrThrow();
    return Number(n);
  }

  /**
   * The given customers and every descendant, within the accounts searched. Ids not in the
   * directory stay in the list: imported sessions may name customers the directory never saw.
   */
  async customerSubtree(accountIds: readonly string[] | 'all', customerIds: readonly string[]): Promise<string[]> {
    if (customerIds.length === 0 || (accountIds !== 'all' && accountIds.length === 0)) return [];
    const roots = sql.join(customerIds.map((id) => sql`${id}`));
    const inAccounts = accountIds === 'all' ? sql`` : sql` AND account_id IN (${sql.join(accountIds.map((id) => sql`${id}`))})`;
    const { rows } = await sql<{ id: string }>`
      WITH RECURSIVE tree (account_id, id) AS (
        SELECT account_id, id FROM customers WHERE id IN (${roots})${inAccounts}
        UNION
        SELECT c.account_id, c.id FROM customers c JOIN tree t ON c.account_id = t.account_id AND c.parent_customer_id = t.id
      )
      SELECT DISTINCT id FROM tree`.execute(this.db);
    return [...new Set([...customerIds, ...rows.map((r) => r.id)])];
  }
}
