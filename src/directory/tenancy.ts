import { ApiError, validationError } from '../http/errors.js';
import type { Caller } from '../http/operation.js';

/**
 * The tenant wall: the one place that decides which accounts, and so which records, a caller may
 * see and change. Every operation asks here (sessions, directory, events, lifecycle), so a foreign
 * record and a missing one get the same answer everywhere: callers scoped to accounts get the same
 * 403 for both, and only a caller who sees every account learns that something does not exist.
 * There is no caller-less path: an operation that is not anonymous has a caller, or it is a 401.
 */

/** The signed-in caller; the HTTP layer refuses anonymous calls before a handler runs, this is the net. */
export function signedIn(caller: Caller | undefined): Caller {
  if (!caller) throw new ApiError('Unauthorized', 'Not Authenticated');
  return caller;
}

export const seesEveryAccount = (caller: Caller) => caller.accountIds === 'all';

export const mayUse = (caller: Caller, accountId: string | undefined) =>
  caller.accountIds === 'all' || (accountId !== undefined && caller.accountIds.includes(accountId));

/**
 * May the caller see (share one of) or change (share all of) the accounts a record belongs to. A
 * record of no account is a SystemAdministrator's alone.
 */
export function mayAccess(caller: Caller, accountIds: readonly string[], toChange: boolean): boolean {
  if (seesEveryAccount(caller)) return true;
  if (!accountIds.length) return false;
  return toChange ? accountIds.every((a) => mayUse(caller, a)) : accountIds.some((a) => mayUse(caller, a));
}

/** The answer for a record the caller may not see, whether it is foreign or missing. */
export function notVisible(caller: Caller, noun: string, id: string): ApiError {
  return seesEveryAccount(caller)
    ? new ApiError('NotFound', `${noun} '${id}' does not exist`)
    : new ApiError('Forbidden', `${noun} '${id}' does not exist or is not in your accounts`);
}

/**
 * The record if the caller may see it (or change it, `toChange`), else `notVisible`: one check for
 * "not found" and "not yours", so the two cannot answer differently.
 *
 * @example
 * const session = visibleRecord(caller, 'Session', id, await sessions.findById(id), (s) => [s.accountId]);
 */
export function visibleRecord<R>(
  caller: Caller,
  noun: string,
  id: string,
  record: R | undefined,
  accountsOf: (record: R) => readonly string[],
  toChange = false,
): R {
  if (record === undefined || !mayAccess(caller, accountsOf(record), toChange)) throw notVisible(caller, noun, id);
  return record;
}

/** Refuses an account the caller may not use, foreign or missing alike (403). */
export function assertMayUse(caller: Caller, accountId: string): void {
  if (!mayUse(caller, accountId)) throw notVisible(caller, 'Account', accountId);
}

/** Of `accountIds` (a record's, say a person's), those the caller may see, in order. */
export const visibleAccounts = (caller: Caller, accountIds: readonly string[]): string[] => accountIds.filter((id) => mayUse(caller, id));

/**
 * The accounts a list or search reads: those asked for (each must be the caller's: a foreign one
 * is a 403, not an empty list), else all of the caller's. Clients send `accountIds=<active account>`.
 *
 * @example
 * accountScope({ userId: 'u', roles: ['User'], accountIds: ['a'] }, undefined) // ['a']
 */
export function accountScope(caller: Caller, requested: readonly string[] | undefined): readonly string[] | 'all' {
  if (!requested?.length) return caller.accountIds;
  for (const id of requested) assertMayUse(caller, id);
  return [...new Set(requested)];
}

/**
 * The account a command acts in: the one named, which the caller must be allowed to use, or the
 * caller's only account when none is named.
 */
export function accountFor(caller: Caller, named: string | undefined): string {
  if (named) {
    assertMayUse(caller, named);
    return named;
  }
  if (caller.accountIds !== 'all' && caller.accountIds.length === 1) return caller.accountIds[0]!;
  throw validationError('AccountId', 'NotEmpty', "'Account Id' must not be empty.");
}

/**
 * The account a record or command is created in: one the caller may use (403 otherwise, foreign or
 * missing alike) and that exists (a 404 only a SystemAdministrator can meet), so a typo never
 * creates records for nobody.
 */
export async function existingAccountFor(caller: Caller, named: string | undefined, exists: (accountId: string) => Promise<boolean>): Promise<string> {
  const accountId = accountFor(caller, named);
  if (!(await exists(accountId))) throw new ApiError('NotFound', `Account '${accountId}' does not exist`);
  return accountId;
}

/** `existingAccountFor` over a repository, for the directory's New operations. */
export const accountToCreateIn = (caller: Caller, accountId: string, accounts: { findById(id: string): Promise<unknown> }): Promise<string> =>
  existingAccountFor(caller, accountId, async (id) => (await accounts.findById(id)) !== undefined);
