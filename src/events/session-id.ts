import { createHmac, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';

/** The `installation_secrets` row the derived session ids are keyed with (migration 014-session-key-secret). */
export const SESSION_KEY_SECRET = 'session-key';

/**
 * The session a provider call belongs to, derived rather than looked up: every callback of a call
 * (or of its child legs, through `ParentCallSid`) names the same session whatever order they arrive
 * in, even before the incoming-call webhook. 24 hex characters, like Evo Voice ids.
 *
 * Keyed with the installation's secret (HMAC-SHA256): a plain hash of the account and the key could
 * be computed by anyone, and another tenant could create the session first under that id, so that
 * every event of the real call was refused (issue 13). With the secret no caller can compute an id
 * before Switchboard hands it out, and the account in the MAC keeps accounts' keys apart.
 *
 * @example
 * sessionIdForKey(secret, 'acct_acme', 'twilio', 'CA0123…') // '9f2c…' (always the same on this installation)
 */
export function sessionIdForKey(secret: string, accountId: string, source: string, key: string): string {
  return createHmac('sha256', secret).update(`${accountId}\n${source}\n${key}`).digest('hex').slice(0, 24);
}

/**
 * Derived session ids on one installation: its secret is read from the store once, on first use
 * (every instance on the database reads the same one), and never changes.
 */
export class SessionIds {
  private secret?: Promise<string>;

  constructor(private readonly db: Kysely<Database>) {}

  async forKey(accountId: string, source: string, key: string): Promise<string> {
    this.secret ??= this.load();
    return sessionIdForKey(await this.secret, accountId, source, key);
  }

  /**
   * The session an id chosen by the account's own app names (Twilio `?sessionId=`, a conference's
   * FriendlyName): that id, unless it is another account's session. Then the account gets a session
   * of its own for the name, derived as above, and answers as for any name: another tenant that
   * chose the name first (its own signed callbacks can) cannot make this account's events fail.
   */
  async named(accountId: string, chosen: string): Promise<string> {
    const owner = await this.db.selectFrom('sessions').select('account_id').where('id', '=', chosen).executeTakeFirst();
    return owner && owner.account_id !== accountId ? this.forKey(accountId, 'named', chosen) : chosen;
  }

  /** The secret migration 014-session-key-secret made; made here if the row is gone (a wiped table), first writer wins. */
  private async load(): Promise<string> {
    const read = () => this.db.selectFrom('installation_secrets').select('value').where('name', '=', SESSION_KEY_SECRET).executeTakeFirst();
    let row = await read();
    if (!row) {
      await this.db
        .insertInto('installation_secrets')
        .values({ name: SESSION_KEY_SECRET, value: newInstallationSecret() })
        .onConflict((oc) => oc.column('name').doNothing())
        .execute();
      row = await read();
    }
    if (!row) {
      this.secret = undefined;
      throw new Error('The session key secret could not be stored');
    }
    return row.value;
  }
}

/** A new installation's secret: 256 bits, as hex. */
export const newInstallationSecret = (): string => randomBytes(32).toString('hex');

/** A fresh id for a session created by a user (POST /sessions). */
export const newSessionId = (): string => randomBytes(12).toString('hex');
