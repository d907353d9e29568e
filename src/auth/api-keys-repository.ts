import type { Kysely } from 'kysely';
import type { Role } from '../http/operation.js';
import type { Database } from '../store/schema.js';
import { parseRoles } from './roles.js';
import { newApiKey, newRecordId, sha256 } from './tokens.js';

export interface ApiKeyRecord {
  readonly id: string;
  readonly accountId: string;
  readonly name: string;
  readonly roles: readonly Role[];
  readonly dateCreated: string;
  readonly dateRevoked?: string;
}

/** API keys for machines: one account each, stored hashed, the key itself shown once at creation. */
export class ApiKeysRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(input: { accountId: string; name: string; roles: readonly Role[]; createdBy?: string }, now: Date): Promise<{ key: string; record: ApiKeyRecord }> {
    const key = newApiKey();
    const record: ApiKeyRecord = { id: newRecordId(), accountId: input.accountId, name: input.name, roles: input.roles, dateCreated: now.toISOString() };
    await this.db
      .insertInto('api_keys')
      .values({
        account_id: record.accountId,
        id: record.id,
        key_hash: sha256(key),
        name: record.name,
        roles: JSON.stringify(record.roles),
        created_by: input.createdBy ?? null,
        date_created: record.dateCreated,
        date_revoked: null,
      })
      .execute();
    return { key, record };
  }

  /** The live (unrevoked) key record for a presented key. */
  async findByKey(key: string): Promise<ApiKeyRecord | undefined> {
    const row = await this.db
      .selectFrom('api_keys')
      .selectAll()
      .where('key_hash', '=', sha256(key))
      .where('date_revoked', 'is', null)
      .executeTakeFirst();
    return row && { id: row.id, accountId: row.account_id, name: row.name, roles: parseRoles(row.roles), dateCreated: row.date_created };
  }

  /** Revokes a key by id; false when no live key has that id. */
  async revoke(id: string, now: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('api_keys')
      .set({ date_revoked: now.toISOString() })
      .where('id', '=', id)
      .where('date_revoked', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async list(accountId?: string): Promise<ApiKeyRecord[]> {
    let query = this.db.selectFrom('api_keys').selectAll().orderBy('date_created');
    if (accountId) query = query.where('account_id', '=', accountId);
    const rows = await query.execute();
    return rows.map((row) => ({
      id: row.id,
      accountId: row.account_id,
      name: row.name,
      roles: parseRoles(row.roles),
      dateCreated: row.date_created,
      ...(row.date_revoked ? { dateRevoked: row.date_revoked } : {}),
    }));
  }
}
