import { sql, type Kysely } from 'kysely';
import { newRecordId } from '../auth/tokens.js';
import type { CustomersTable, Database } from '../store/schema.js';
import { containsText } from './contains-text.js';
import type { Page, Paged } from './list-paging.js';
import { pagedRows } from './paged-query.js';

export interface CustomerRecord {
  readonly accountId: string;
  readonly id: string;
  readonly parentCustomerId?: string;
  readonly name: string;
  readonly referenceId?: string;
  readonly dateCreated: string;
  readonly dateLastModified: string;
}

export interface CustomerFilter {
  readonly accountIds: readonly string[] | 'all';
  /** Customers below these: their children, or with `shallowParent` false every descendant. */
  readonly parentCustomerIds?: readonly string[];
  readonly shallowParent?: boolean;
  /** The name contains this, case-insensitively. */
  readonly nameFilter?: string;
  readonly specificIds?: readonly string[];
}

export type CustomerSort = 'name' | 'dateCreated' | 'dateLastModified' | 'id' | 'referenceId';
export const CUSTOMER_SORT_FIELDS: readonly [CustomerSort, ...CustomerSort[]] = ['name', 'dateCreated', 'dateLastModified', 'id', 'referenceId'];
const SORT_COLUMNS = { name: 'name', dateCreated: 'date_created', dateLastModified: 'date_last_modified', id: 'id', referenceId: 'reference_id' } as const;

/** Trees deeper than this are treated as broken (a cycle) rather than walked forever. */
const MAX_DEPTH = 64;

/** An account's customer tree. */
export class CustomersRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async findById(id: string): Promise<CustomerRecord | undefined> {
    const row = await this.db.selectFrom('customers').selectAll().where('id', '=', id).executeTakeFirst();
    return row && recordOf(row);
  }

  /** A customer of one account (ids are only unique within their account). */
  async findInAccount(accountId: string, id: string): Promise<CustomerRecord | undefined> {
    const row = await this.db.selectFrom('customers').selectAll().where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
    return row && recordOf(row);
  }

  /** Root → self, as sessions copy it into `customerBreadcrumb`. */
  async breadcrumbOf(customer: CustomerRecord): Promise<{ id: string; name: string }[]> {
    const trail = [{ id: customer.id, name: customer.name }];
    let parentId = customer.parentCustomerId;
    while (parentId && trail.length < MAX_DEPTH && !trail.some((c) => c.id === parentId)) {
      const parent = await this.db
        .selectFrom('customers')
        .select(['id', 'name', 'parent_customer_id'])
        .where('account_id', '=', customer.accountId)
        .where('id', '=', parentId)
        .executeTakeFirst();
      if (!parent) break;
      trail.unshift({ id: parent.id, name: parent.name });
      parentId = parent.parent_customer_id ?? undefined;
    }
    return trail;
  }

  /** Creates a customer; with an explicit id (import, demo) an existing one is left as it is. */
  async create(fields: { accountId: string; name: string; parentCustomerId?: string; referenceId?: string; id?: string }, now: Date): Promise<CustomerRecord> {
    const stamp = now.toISOString();
    const id = fields.id ?? newRecordId();
    await this.db
      .insertInto('customers')
      .values({
        account_id: fields.accountId,
        id,
        parent_customer_id: fields.parentCustomerId ?? null,
        name: fields.name,
        reference_id: fields.referenceId || null,
        date_created: stamp,
        date_last_modified: stamp,
      })
      .onConflict((oc) => oc.columns(['account_id', 'id']).doNothing())
      .execute();
    return (await this.findById(id))!;
  }

  /** Applies the fields given; an empty `referenceId` clears it. */
  async update(customer: CustomerRecord, fields: { name?: string; parentCustomerId?: string | null; referenceId?: string }, now: Date): Promise<CustomerRecord> {
    const set: Partial<CustomersTable> = { date_last_modified: now.toISOString() };
    if (fields.name) set.name = fields.name;
    if (fields.referenceId !== undefined) set.reference_id = fields.referenceId || null;
    if (fields.parentCustomerId !== undefined) set.parent_customer_id = fields.parentCustomerId;
    await this.db.updateTable('customers').set(set).where('account_id', '=', customer.accountId).where('id', '=', customer.id).execute();
    return (await this.findById(customer.id))!;
  }

  async hasChildren(customer: CustomerRecord): Promise<boolean> {
    const child = await this.db
      .selectFrom('customers')
      .select('id')
      .where('account_id', '=', customer.accountId)
      .where('parent_customer_id', '=', customer.id)
      .executeTakeFirst();
    return child !== undefined;
  }

  /** Deletes a leaf customer; its endpoints stay, no longer assigned to a customer. */
  async delete(customer: CustomerRecord): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('endpoints').set({ customer_id: null }).where('account_id', '=', customer.accountId).where('customer_id', '=', customer.id).execute();
      await trx.deleteFrom('customers').where('account_id', '=', customer.accountId).where('id', '=', customer.id).execute();
    });
  }

  /**
   * Every customer below the given ones (not the given ones themselves), within the accounts; a
   * tree is walked in one recursive query however deep it is.
   */
  async descendantsOf(accountIds: readonly string[] | 'all', parentIds: readonly string[]): Promise<string[]> {
    if (parentIds.length === 0 || (accountIds !== 'all' && accountIds.length === 0)) return [];
    const roots = sql.join(parentIds.map((id) => sql`${id}`));
    const inAccounts = accountIds === 'all' ? sql`` : sql` AND account_id IN (${sql.join(accountIds.map((id) => sql`${id}`))})`;
    const { rows } = await sql<{ id: string }>`
      WITH RECURSIVE tree (account_id, id) AS (
        SELECT account_id, id FROM customers WHERE parent_customer_id IN (${roots})${inAccounts}
        UNION
        SELECT c.account_id, c.id FROM customers c JOIN tree t ON c.account_id = t.account_id AND c.parent_customer_id = t.id
      )
      SELECT DISTINCT id FROM tree`.execute(this.db);
    return rows.map((r) => r.id);
  }

  async list(filter: CustomerFilter, page: Page<CustomerSort>): Promise<Paged<CustomerRecord>> {
    let query = this.db.selectFrom('customers');
    if (filter.accountIds !== 'all') query = query.where('account_id', 'in', filter.accountIds.length ? [...filter.accountIds] : ['']);
    if (filter.parentCustomerIds?.length) {
      const below = filter.shallowParent ? undefined : await this.descendantsOf(filter.accountIds, filter.parentCustomerIds);
      query = below
        ? query.where('id', 'in', below.length ? below : [''])
        : query.where('parent_customer_id', 'in', [...filter.parentCustomerIds]);
    }
    if (filter.nameFilter) query = query.where(containsText('name', filter.nameFilter));
    if (filter.specificIds?.length) query = query.where('id', 'in', [...filter.specificIds]);
    const { rows, total } = await pagedRows<Database, 'customers', CustomersTable>(query, SORT_COLUMNS[page.sortBy], page);
    return { items: rows.map(recordOf), total };
  }
}

function recordOf(row: CustomersTable): CustomerRecord {
  return {
    accountId: row.account_id,
    id: row.id,
    ...(row.parent_customer_id ? { parentCustomerId: row.parent_customer_id } : {}),
    name: row.name,
    ...(row.reference_id ? { referenceId: row.reference_id } : {}),
    dateCreated: row.date_created,
    dateLastModified: row.date_last_modified,
  };
}
