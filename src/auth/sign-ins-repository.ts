import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import { sha256 } from './tokens.js';

export interface StoredSignIn {
  readonly userId: string;
  readonly provider: string;
  readonly permanent: boolean;
  readonly expiresAt: Date;
}

/**
 * Sign-ins kept server-side, by the hash of their cookie id: a restart signs nobody out. (The table
 * keeps ServiceStack's name, `auth_sessions`; renaming it would take a migration for a word.)
 */
export class SignInsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(id: string, signIn: StoredSignIn, now: Date): Promise<void> {
    await this.db
      .insertInto('auth_sessions')
      .values({
        id_hash: sha256(id),
        user_id: signIn.userId,
        provider: signIn.provider,
        permanent: signIn.permanent ? 1 : 0,
        created_at: now.toISOString(),
        expires_at: signIn.expiresAt.toISOString(),
      })
      .execute();
  }

  /** The live sign-in for a cookie id; expired ones are as good as absent. */
  async find(id: string, now: Date): Promise<StoredSignIn | undefined> {
    const row = await this.db
      .selectFrom('auth_sessions')
      .select(['user_id', 'provider', 'permanent', 'expires_at'])
      .where('id_hash', '=', sha256(id))
      .where('expires_at', '>', now.toISOString())
      .executeTakeFirst();
    return row && { userId: row.user_id, provider: row.provider, permanent: row.permanent === 1, expiresAt: new Date(row.expires_at) };
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('auth_sessions').where('id_hash', '=', sha256(id)).execute();
  }

  /** Signs a user out everywhere (password change, deletion). */
  async deleteForUser(userId: string): Promise<void> {
    await this.db.deleteFrom('auth_sessions').where('user_id', '=', userId).execute();
  }

  async deleteExpired(now: Date): Promise<void> {
    await this.db.deleteFrom('auth_sessions').where('expires_at', '<=', now.toISOString()).execute();
  }
}
