import type { Kysely } from 'kysely';
import { newRecordId } from '../auth/tokens.js';
import type { Database, EndpointsTable } from '../store/schema.js';
import { containsText } from './contains-text.js';
import type { Page, Paged } from './list-paging.js';
import { pagedRows } from './paged-query.js';

export interface EndpointRecord {
  readonly accountId: string;
  readonly id: string;
  readonly customerId?: string;
  readonly type: string;
  readonly displayName: string;
  readonly phoneNumber?: string;
  readonly identity?: string;
  readonly email?: string;
  readonly avatarUrl?: string;
  readonly referenceId?: string;
  readonly userMode?: string;
  readonly sipUserName?: string;
  readonly dateCreated: string;
  readonly dateLastModified: string;
}

export type EndpointFields = Partial<Omit<EndpointRecord, 'accountId' | 'id' | 'dateCreated' | 'dateLastModified'>>;

export interface EndpointFilter {
  readonly accountIds: readonly string[] | 'all';
  /** Already expanded to the customers' descendants unless the caller asked for a shallow filter. */
  readonly customerIds?: readonly string[];
  readonly referenceIds?: readonly string[];
  /** Any of these types. */
  readonly types?: readonly string[];
  /** The display name contains this, case-insensitively. */
  readonly nameFilter?: string;
  /** The phone number contains this (digits and `+` only are compared). */
  readonly phoneNumberFilter?: string;
  readonly userMode?: string;
  readonly sipUserName?: string;
  readonly specificIds?: readonly string[];
}

export type EndpointSort = 'displayName' | 'dateCreated' | 'dateLastModified' | 'id' | 'type' | 'phoneNumber' | 'referenceId';
export const ENDPOINT_SORT_FIELDS: readonly [EndpointSort, ...EndpointSort[]] = ['displayName', 'dateCreated', 'dateLastModified', 'id', 'type', 'phoneNumber', 'referenceId'];
const SORT_COLUMNS = {
  displayName: 'display_name',
  dateCreated: 'date_created',
  dateLastModified: 'date_last_modified',
  id: 'id',
  type: 'type',
  phoneNumber: 'phone_number',
  referenceId: 'reference_id',
} as const;

const COLUMNS = {
  customerId: 'customer_id',
  type: 'type',
  displayName: 'display_name',
  phoneNumber: 'phone_number',
  identity: 'identity',
  email: 'email',
  avatarUrl: 'avatar_url',
  referenceId: 'reference_id',
  userMode: 'user_mode',
  sipUserName: 'sip_user_name',
} as const satisfies Record<keyof EndpointFields, keyof EndpointsTable>;

/** Phone numbers, agents, teams… of an account. */
export class EndpointsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async findById(id: string): Promise<EndpointRecord | undefined> {
    const row = await this.db.selectFrom('endpoints').selectAll().where('id', '=', id).executeTakeFirst();
    return row && recordOf(row);
  }

  /** Creates an endpoint; with an explicit id (import, demo) an existing one is left as it is. */
  async create(fields: EndpointFields & { accountId: string; type: string; displayName: string; id?: string }, now: Date): Promise<EndpointRecord> {
    const stamp = now.toISOString();
    const id = fields.id ?? newRecordId();
    const row: EndpointsTable = {
      account_id: fields.accountId,
      id,
      customer_id: null,
      type: fields.type,
      display_name: fields.displayName,
      phone_number: null,
      identity: null,
      email: null,
      avatar_url: null,
      reference_id: null,
      user_mode: null,
      sip_user_name: null,
      date_created: stamp,
      date_last_modified: stamp,
    };
    for (const [key, column] of Object.entries(COLUMNS)) {
      const value = fields[key as keyof EndpointFields];
      if (value) (row as unknown as Record<string, string>)[column] = value;
    }
    await this.db.insertInto('endpoints').values(row).onConflict((oc) => oc.columns(['account_id', 'id']).doNothing()).execute();
    return (await this.findById(id))!;
  }

  /** Applies the fields given; an empty string clears an optional one. */
  async update(endpoint: EndpointRecord, fields: EndpointFields, now: Date): Promise<EndpointRecord> {
    const set: Record<string, string | null> = { date_last_modified: now.toISOString() };
    for (const [key, column] of Object.entries(COLUMNS)) {
      const value = fields[key as keyof EndpointFields];
      if (value !== undefined) set[column] = value || null;
    }
    await this.db.updateTable('endpoints').set(set).where('account_id', '=', endpoint.accountId).where('id', '=', endpoint.id).execute();
    return (await this.findById(endpoint.id))!;
  }

  async delete(endpoint: EndpointRecord): Promise<void> {
    await this.db.deleteFrom('endpoints').where('account_id', '=', endpoint.accountId).where('id', '=', endpoint.id).execute();
  }

  async list(filter: EndpointFilter, page: Page<EndpointSort>): Promise<Paged<EndpointRecord>> {
    let query = this.db.selectFrom('endpoints');
    if (filter.accountIds !== 'all') query = query.where('account_id', 'in', filter.accountIds.length ? [...filter.accountIds] : ['']);
    if (filter.customerIds?.length) query = query.where('customer_id', 'in', [...filter.customerIds]);
    if (filter.referenceIds?.length) query = query.where('reference_id', 'in', [...filter.referenceIds]);
    if (filter.types?.length) query = query.where('type', 'in', [...filter.types]);
    if (filter.nameFilter) query = query.where(containsText('display_name', filter.nameFilter));
    if (filter.phoneNumberFilter) query = query.where(containsText('phone_number', filter.phoneNumberFilter));
    if (filter.userMode) query = query.where('user_mode', '=', filter.userMode);
    if (filter.sipUserName) query = query.where('sip_user_name', '=', filter.sipUserName);
    if (filter.specificIds?.length) query = query.where('id', 'in', [...filter.specificIds]);
    const { rows, total } = await pagedRows<Database, 'endpoints', EndpointsTable>(query, SORT_COLUMNS[page.sortBy], page);
    return { items: rows.map(recordOf), total };
  }
}

function recordOf(row: EndpointsTable): EndpointRecord {
  const record: Record<string, string> = {
    accountId: row.account_id,
    id: row.id,
    type: row.type,
    displayName: row.display_name,
    dateCreated: row.date_created,
    dateLastModified: row.date_last_modified,
  };
  for (const [key, column] of Object.entries(COLUMNS)) {
    const value = row[column];
    if (value) record[key] = value;
  }
  return record as unknown as EndpointRecord;
}
