import type { Kysely } from 'kysely';
import { newRecordId } from '../auth/tokens.js';
import type { CustomersTable, Database } from '../store/schema.js';
import type { Page, Paged } from './list-paging.js';

export interface CustomerRecord {
  readonly accountId: string;
  readonly id: string;
  readonly parentCustomerId?: string;
  readonly name: string;
  readonly dateCreated: string;
  readonly dateLastModified: string;
}

export interface CustomerFilter {
  readonly accountIds: readonly string[] | 'all';
  readonly parentCustomerId?: string;
  readonly name?: string;
  readonly specificIds?: readonly string[];
}

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
  async create(fields: { accountId: string; name: string; parentCustomerId?: string; id?: string }, now: Date): Promise<CustomerRecord> {
    const stamp = now.toISOString();
    const id = fields.id ?? newRecordId();
    await this.db
      .insertInto('customers')
      .values({ account_id: fields.accountId, id, parent_customer_id: fields.parentCustomerId ?? null, name: fields.name, date_created: stamp, date_last_modified: stamp })
      .onConflict((oc) => oc.columns(['account_id', 'id']).doNothing())
      .execute();
    return (await this.findById(id))!;
  }

  async update(customer: CustomerRecord, fields: { name?: string; parentCustomerId?: string | null }, now: Date): Promise<CustomerRecord> {
    const set: Partial<CustomersTable> = { date_last_modified: now.toISOString() };
    if (fields.name) set.name = fields.name;
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

  async list(filter: CustomerFilter, page: Page): Promise<Paged<CustomerRecord>> {
    let query = this.db.selectFrom('customers');
    if (filter.accountIds !== 'all') query = query.where('account_id', 'in', filter.accountIds.length ? [...filter.accountIds] : ['']);
    if (filter.parentCustomerId) query = query.where('parent_customer_id', '=', filter.parentCustomerId);
    if (filter.name) query = query.where('name', 'like', `%${filter.name}%`);
    if (filter.specificIds?.length) query = query.where('id', 'in', [...filter.specificIds]);
    const { n } = await query.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
    const rows = await query.selectAll().orderBy('name', page.descending ? 'desc' : 'asc').orderBy('id').limit(page.limit).offset(page.offset).execute();
    return { items: rows.map(recordOf), total: Number(n) };
  }
}

function recordOf(row: CustomersTable): CustomerRecord {
  return {
    accountId: row.account_id,
    id: row.id,
    ...(row.parent_customer_id ? { parentCustomerId: row.parent_customer_id } : {}),
    name: row.name,
    dateCreated: row.date_created,
    dateLastModified: row.date_last_modified,
  };
}
