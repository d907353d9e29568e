import type { Kysely } from 'kysely';
import { newRecordId } from '../auth/tokens.js';
import type { AccountsTable, Database } from '../store/schema.js';
import { containsText } from './contains-text.js';
import { ApiError } from '../http/errors.js';
import { isUniqueViolation } from '../store/unique-violation.js';
import type { Page, Paged } from './list-paging.js';
import { pagedRows } from './paged-query.js';

/**
 * A Twilio account SID another account holds (migration 013-twilio-account-sid-unique's unique index): its callbacks are found
 * by SID, so a second holder could take them. A 409 that does not say whose it is.
 */
export class TwilioSidInUse extends ApiError {
  constructor() {
    super('Conflict', 'This Twilio account SID is already in use');
  }
}

/** The index decides, so two writers racing for one SID cannot both win. */
async function sidChecked<T>(write: Promise<T>): Promise<T> {
  try {
    return await write;
  } catch (error) {
    throw isUniqueViolation(error) ? new TwilioSidInUse() : error;
  }
}

/** An account as the API shows it: the Twilio auth tokens never leave the repository's callers. */
export interface AccountRecord {
  readonly id: string;
  readonly name: string;
  readonly parentAccountId?: string;
  readonly twilioAccountSid?: string;
  readonly dateCreated: string;
  readonly dateLastModified: string;
}

export interface AccountFields {
  readonly name?: string;
  readonly parentAccountId?: string;
  readonly twilioAccountSid?: string;
  readonly twilioAuthToken?: string;
  readonly twilioAuthTokenSecondary?: string;
}

export interface AccountFilter {
  readonly accountIds: readonly string[] | 'all';
  /** The name contains this, case-insensitively. */
  readonly nameFilter?: string;
  readonly specificIds?: readonly string[];
}

export type AccountSort = 'name' | 'dateCreated' | 'dateLastModified' | 'id';
export const ACCOUNT_SORT_FIELDS: readonly [AccountSort, ...AccountSort[]] = ['name', 'dateCreated', 'dateLastModified', 'id'];
const SORT_COLUMNS = { name: 'name', dateCreated: 'date_created', dateLastModified: 'date_last_modified', id: 'id' } as const;

/** Tenants. Deleting one removes its directory, never its sessions (they keep the names they copied). */
export class AccountsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async findById(id: string): Promise<AccountRecord | undefined> {
    const row = await this.db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
    return row && recordOf(row);
  }

  /** The account's parents, root first (Evo Voice's `ancestorIds`); a loop stops the walk. */
  async ancestorIdsOf(account: AccountRecord): Promise<string[]> {
    const trail: string[] = [];
    let parentId = account.parentAccountId;
    while (parentId && parentId !== account.id && !trail.includes(parentId) && trail.length < 64) {
      trail.unshift(parentId);
      const row = await this.db.selectFrom('accounts').select('parent_account_id').where('id', '=', parentId).executeTakeFirst();
      parentId = row?.parent_account_id ?? undefined;
    }
    return trail;
  }

  /** Names of the given accounts, in the order asked (UserInfo's parallel accountIds/accountNames). */
  async namesOf(ids: readonly string[]): Promise<string[]> {
    if (!ids.length) return [];
    const rows = await this.db.selectFrom('accounts').select(['id', 'name']).where('id', 'in', [...ids]).execute();
    const names = new Map(rows.map((r) => [r.id, r.name]));
    return ids.map((id) => names.get(id) ?? '');
  }

  async allIds(): Promise<string[]> {
    const rows = await this.db.selectFrom('accounts').select('id').orderBy('name').orderBy('id').execute();
    return rows.map((r) => r.id);
  }

  /**
   * Creates an account; with an explicit id (import, demo) an existing account is left as it is.
   * Throws `TwilioSidInUse` for a SID another account holds.
   */
  async create(fields: AccountFields & { name: string; id?: string }, now: Date): Promise<AccountRecord> {
    const stamp = now.toISOString();
    const id = fields.id ?? newRecordId();
    await sidChecked(
      this.db
        .insertInto('accounts')
        .values({
          id,
          name: fields.name,
          parent_account_id: fields.parentAccountId ?? null,
          twilio_account_sid: fields.twilioAccountSid || null,
          twilio_auth_token: fields.twilioAuthToken ?? null,
          twilio_auth_token_secondary: fields.twilioAuthTokenSecondary ?? null,
          date_created: stamp,
          date_last_modified: stamp,
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute(),
    );
    return (await this.findById(id))!;
  }

  /** Throws `TwilioSidInUse` for a SID another account holds. */
  async update(id: string, fields: AccountFields, now: Date): Promise<AccountRecord | undefined> {
    const set: Partial<AccountsTable> = { date_last_modified: now.toISOString() };
    if (fields.name !== undefined) set.name = fields.name;
    if (fields.parentAccountId !== undefined) set.parent_account_id = fields.parentAccountId || null;
    if (fields.twilioAccountSid !== undefined) set.twilio_account_sid = fields.twilioAccountSid || null;
    if (fields.twilioAuthToken !== undefined) set.twilio_auth_token = fields.twilioAuthToken || null;
    if (fields.twilioAuthTokenSecondary !== undefined) set.twilio_auth_token_secondary = fields.twilioAuthTokenSecondary || null;
    const result = await sidChecked(this.db.updateTable('accounts').set(set).where('id', '=', id).executeTakeFirst());
    return Number(result.numUpdatedRows) ? this.findById(id) : undefined;
  }

  async delete(id: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      for (const table of ['customers', 'endpoints', 'user_accounts', 'api_keys'] as const) {
        await trx.deleteFrom(table).where('account_id', '=', id).execute();
      }
      await trx.updateTable('accounts').set({ parent_account_id: null }).where('parent_account_id', '=', id).execute();
      const result = await trx.deleteFrom('accounts').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    });
  }

  async list(filter: AccountFilter, page: Page<AccountSort>): Promise<Paged<AccountRecord>> {
    let query = this.db.selectFrom('accounts');
    if (filter.accountIds !== 'all') query = query.where('id', 'in', filter.accountIds.length ? [...filter.accountIds] : ['']);
    if (filter.nameFilter) query = query.where(containsText('name', filter.nameFilter));
    if (filter.specificIds?.length) query = query.where('id', 'in', [...filter.specificIds]);
    const { rows, total } = await pagedRows<Database, 'accounts', AccountsTable>(query, SORT_COLUMNS[page.sortBy], page);
    return { items: rows.map(recordOf), total };
  }
}

function recordOf(row: AccountsTable): AccountRecord {
  return {
    id: row.id,
    name: row.name,
    ...(row.parent_account_id ? { parentAccountId: row.parent_account_id } : {}),
    ...(row.twilio_account_sid ? { twilioAccountSid: row.twilio_account_sid } : {}),
    dateCreated: row.date_created,
    dateLastModified: row.date_last_modified,
  };
}
