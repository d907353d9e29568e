import type { Kysely } from 'kysely';
import { parseRoles } from '../auth/roles.js';
import { newRecordId } from '../auth/tokens.js';
import type { Role } from '../http/operation.js';
import type { Database, UsersTable } from '../store/schema.js';
import { containsText } from './contains-text.js';
import type { Page, Paged } from './list-paging.js';
import { pagedRows } from './paged-query.js';

export interface UserRecord {
  readonly id: string;
  readonly email: string;
  readonly firstName?: string;
  readonly lastName?: string;
  readonly displayName?: string;
  readonly passwordHash?: string;
  readonly roles: readonly Role[];
  readonly accountIds: readonly string[];
  readonly dateCreated: string;
  readonly dateLastModified: string;
}

export interface UserFields {
  readonly email?: string;
  readonly firstName?: string;
  readonly lastName?: string;
  readonly displayName?: string;
  readonly passwordHash?: string;
  readonly roles?: readonly Role[];
  readonly accountIds?: readonly string[];
}

export interface UserFilter {
  /** Users with at least one of these accounts; `all` for every user. */
  readonly accountIds: readonly string[] | 'all';
  /** The email address contains this, case-insensitively. */
  readonly emailFilter?: string;
  readonly specificIds?: readonly string[];
}

export type UserSort = 'emailAddress' | 'firstName' | 'lastName' | 'dateCreated' | 'dateLastModified' | 'id';
export const USER_SORT_FIELDS: readonly [UserSort, ...UserSort[]] = ['emailAddress', 'firstName', 'lastName', 'dateCreated', 'dateLastModified', 'id'];
const SORT_COLUMNS = {
  emailAddress: 'email',
  firstName: 'first_name',
  lastName: 'last_name',
  dateCreated: 'date_created',
  dateLastModified: 'date_last_modified',
  id: 'id',
} as const;

/** People who sign in, with the accounts they may use. The only place that knows these tables. */
export class UsersRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async findById(id: string): Promise<UserRecord | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return row && this.withAccounts(row);
  }

  async findByEmail(email: string): Promise<UserRecord | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('email', '=', email.trim().toLowerCase()).executeTakeFirst();
    return row && this.withAccounts(row);
  }

  /** The roles and accounts that make a Caller: the one read every signed-in request needs. */
  async grantsOf(id: string): Promise<{ roles: Role[]; accountIds: string[] } | undefined> {
    const row = await this.db.selectFrom('users').select('roles').where('id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    return { roles: parseRoles(row.roles), accountIds: await this.accountIdsOf(id) };
  }

  async count(): Promise<number> {
    const { n } = await this.db.selectFrom('users').select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
    return Number(n);
  }

  /** Creates a user; undefined when the email is taken. */
  async create(fields: UserFields & { email: string }, now: Date): Promise<UserRecord | undefined> {
    const id = newRecordId();
    const stamp = now.toISOString();
    const email = fields.email.trim().toLowerCase();
    return this.db.transaction().execute(async (trx) => {
      if (await trx.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst()) return undefined;
      // Another instance may create the same email between the check and here (two instances
      // starting on an empty database both create the first administrator): its user wins.
      const { numInsertedOrUpdatedRows } = await trx
        .insertInto('users')
        .values({
          id,
          email,
          first_name: fields.firstName ?? null,
          last_name: fields.lastName ?? null,
          display_name: fields.displayName ?? null,
          password_hash: fields.passwordHash ?? null,
          roles: JSON.stringify(fields.roles ?? []),
          date_created: stamp,
          date_last_modified: stamp,
        })
        .onConflict((oc) => oc.column('email').doNothing())
        .executeTakeFirst();
      if (Number(numInsertedOrUpdatedRows ?? 0) === 0) return undefined;
      for (const accountId of new Set(fields.accountIds ?? [])) {
        await trx.insertInto('user_accounts').values({ account_id: accountId, user_id: id }).execute();
      }
      return (await new UsersRepository(trx).findById(id))!;
    });
  }

  /** Applies the fields given; `conflict` when the new email is someone else's. */
  async update(id: string, fields: UserFields, now: Date): Promise<UserRecord | 'conflict' | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const email = fields.email?.trim().toLowerCase();
      if (email && (await trx.selectFrom('users').select('id').where('email', '=', email).where('id', '!=', id).executeTakeFirst())) {
        return 'conflict';
      }
      const set: Partial<UsersTable> = { date_last_modified: now.toISOString() };
      if (email) set.email = email;
      if (fields.firstName !== undefined) set.first_name = fields.firstName;
      if (fields.lastName !== undefined) set.last_name = fields.lastName;
      if (fields.displayName !== undefined) set.display_name = fields.displayName;
      if (fields.passwordHash !== undefined) set.password_hash = fields.passwordHash;
      if (fields.roles !== undefined) set.roles = JSON.stringify(fields.roles);
      const result = await trx.updateTable('users').set(set).where('id', '=', id).executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return undefined;
      if (fields.accountIds !== undefined) {
        await trx.deleteFrom('user_accounts').where('user_id', '=', id).execute();
        for (const accountId of new Set(fields.accountIds)) {
          await trx.insertInto('user_accounts').values({ account_id: accountId, user_id: id }).execute();
        }
      }
      return new UsersRepository(trx).findById(id);
    });
  }

  async delete(id: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('user_accounts').where('user_id', '=', id).execute();
      await trx.deleteFrom('auth_sessions').where('user_id', '=', id).execute();
      const result = await trx.deleteFrom('users').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    });
  }

  async list(filter: UserFilter, page: Page<UserSort>): Promise<Paged<UserRecord>> {
    let query = this.db.selectFrom('users');
    if (filter.accountIds !== 'all') {
      const ids = filter.accountIds.length ? [...filter.accountIds] : [''];
      query = query.where('id', 'in', (eb) => eb.selectFrom('user_accounts').select('user_id').where('account_id', 'in', ids));
    }
    if (filter.emailFilter) query = query.where(containsText('email', filter.emailFilter));
    if (filter.specificIds?.length) query = query.where('id', 'in', [...filter.specificIds]);
    const { rows, total } = await pagedRows<Database, 'users', UsersTable>(query, SORT_COLUMNS[page.sortBy], page);
    return { items: await Promise.all(rows.map((row) => this.withAccounts(row))), total };
  }

  private async accountIdsOf(userId: string): Promise<string[]> {
    const rows = await this.db.selectFrom('user_accounts').select('account_id').where('user_id', '=', userId).orderBy('account_id').execute();
    return rows.map((r) => r.account_id);
  }

  private async withAccounts(row: UsersTable): Promise<UserRecord> {
    return {
      id: row.id,
      email: row.email,
      ...(row.first_name ? { firstName: row.first_name } : {}),
      ...(row.last_name ? { lastName: row.last_name } : {}),
      ...(row.display_name ? { displayName: row.display_name } : {}),
      ...(row.password_hash ? { passwordHash: row.password_hash } : {}),
      roles: parseRoles(row.roles),
      accountIds: await this.accountIdsOf(row.id),
      dateCreated: row.date_created,
      dateLastModified: row.date_last_modified,
    };
  }
}
