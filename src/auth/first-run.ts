import type { UsersRepository } from '../directory/users-repository.js';
import { hashPassword } from './passwords.js';
import { newPassword } from './tokens.js';

export interface FirstAdministrator {
  readonly email: string;
  /** Set only when it was generated: the caller prints it once; it is stored only as a hash. */
  readonly generatedPassword?: string;
}

/**
 * On a database with no users, creates the SystemAdministrator, so a fresh install can be signed
 * into. Any existing user means the install is set up: nothing is created.
 */
export async function ensureAdministrator(
  users: UsersRepository,
  wanted: { email: string; password?: string },
  now: Date,
): Promise<FirstAdministrator | undefined> {
  if ((await users.count()) > 0) return undefined;
  const password = wanted.password ?? newPassword();
  const created = await users.create({ email: wanted.email, roles: ['SystemAdministrator'], passwordHash: await hashPassword(password) }, now);
  if (!created) return undefined;
  return { email: created.email, ...(wanted.password ? {} : { generatedPassword: password }) };
}
