import type { Kysely } from 'kysely';
import type { OperationContext } from '../http/operation.js';
import type { Database } from '../store/schema.js';

/** The directory questions call control asks: who is acting, which numbers an account owns, where an endpoint rings. */
export class ControlDirectory {
  constructor(private readonly db: Kysely<Database>) {}

  /** The acting person's name for the log ("Placed on hold by Dana Agent"); an API key is named as one. */
  async actorNameOf(context: OperationContext): Promise<string | undefined> {
    const caller = context.caller;
    if (!caller) return undefined;
    if (caller.apiKeyId) {
      const key = await this.db.selectFrom('api_keys').select('name').where('id', '=', caller.apiKeyId).executeTakeFirst();
      return key ? `API key ${key.name}` : undefined;
    }
    const user = await this.db.selectFrom('users').select(['display_name', 'first_name', 'last_name', 'email']).where('id', '=', caller.userId).executeTakeFirst();
    if (!user) return undefined;
    const full = [user.first_name, user.last_name].filter(Boolean).join(' ');
    return user.display_name || full || user.email;
  }

  /** Where an endpoint of the account is reached: its phone number, else its client identity. */
  async addressOfEndpoint(accountId: string, endpointId: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('endpoints').select(['phone_number', 'identity']).where('account_id', '=', accountId).where('id', '=', endpointId).executeTakeFirst();
    return row ? (row.phone_number ?? row.identity ?? undefined) : undefined;
  }

  /** The account's own phone numbers, in a stable order (the first is the default caller ID). */
  async numbersOf(accountId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('endpoints')
      .select('phone_number')
      .where('account_id', '=', accountId)
      .where('type', '=', 'PhoneNumber')
      .where('phone_number', 'is not', null)
      .orderBy('id')
      .execute();
    return rows.map((r) => r.phone_number!);
  }

  /** The User endpoints that are the caller's own device (matched by e-mail). */
  async ownEndpointIds(accountId: string, context: OperationContext): Promise<string[]> {
    const userId = context.caller?.userId;
    if (!userId || context.caller?.apiKeyId) return [];
    const user = await this.db.selectFrom('users').select('email').where('id', '=', userId).executeTakeFirst();
    if (!user) return [];
    const rows = await this.db.selectFrom('endpoints').select('id').where('account_id', '=', accountId).where('type', '=', 'User').where('email', '=', user.email).execute();
    return rows.map((r) => r.id);
  }
}
