import type { Kysely } from 'kysely';
import { ApiError } from '../http/errors.js';
import type { Database } from '../store/schema.js';
import type { TwilioCredentials } from './twilio-client.js';

/**
 * The Twilio credentials of one account, read for each command (a token rotated through
 * PatchAccount applies to the next command). A session's commands use its own account's
 * credentials, so tenant A's token never touches tenant B's calls.
 */
export class AccountCredentials {
  constructor(private readonly db: Kysely<Database>) {}

  /** The account's credentials, or 409 TelephonyNotConfigured before anything is sent. */
  async of(accountId: string): Promise<TwilioCredentials> {
    const row = await this.db.selectFrom('accounts').select(['twilio_account_sid', 'twilio_auth_token']).where('id', '=', accountId).executeTakeFirst();
    if (!row?.twilio_account_sid || !row.twilio_auth_token) {
      throw new ApiError('TelephonyNotConfigured', `Account '${accountId}' has no Twilio credentials (Account SID and auth token); nothing was sent`);
    }
    return { accountSid: row.twilio_account_sid, authToken: row.twilio_auth_token };
  }
}
