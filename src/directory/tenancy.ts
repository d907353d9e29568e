import { ApiError } from '../http/errors.js';
import type { Caller } from '../http/operation.js';

export const seesEveryAccount = (caller: Caller) => caller.accountIds === 'all';

export const mayUse = (caller: Caller, accountId: string | undefined) =>
  caller.accountIds === 'all' || (accountId !== undefined && caller.accountIds.includes(accountId));

/**
 * The answer for a record the caller may not see. Callers scoped to accounts get the same 403
 * whether the record is foreign or missing, so ids cannot be probed across the tenant wall; only
 * callers who see every account learn that something does not exist.
 */
export function notVisible(caller: Caller, noun: string, id: string): ApiError {
  return seesEveryAccount(caller)
    ? new ApiError('NotFound', `${noun} '${id}' does not exist`)
    : new ApiError('Forbidden', `${noun} '${id}' does not exist or is not in your accounts`);
}

/**
 * The account a new record is created in: one the caller may use (403 otherwise) and that exists
 * (404), so a typo never creates records for nobody.
 */
export async function accountToCreateIn(
  caller: Caller,
  accountId: string,
  accounts: { findById(id: string): Promise<unknown> },
): Promise<string> {
  assertMayUse(caller, accountId);
  if (!(await accounts.findById(accountId))) throw new ApiError('NotFound', `Account '${accountId}' does not exist`);
  return accountId;
}

/** Refuses an account the caller may not use (403). */
export function assertMayUse(caller: Caller, accountId: string): void {
  if (!mayUse(caller, accountId)) throw new ApiError('Forbidden', `Account '${accountId}' is not one of your accounts`);
}

/**
 * The accounts a list may read: those asked for (each must be the caller's), else all of the
 * caller's. Clients always send `accountIds=<active account>`.
 */
export function accountScope(caller: Caller, requested: readonly string[] | undefined): readonly string[] | 'all' {
  if (requested?.length) {
    for (const id of requested) assertMayUse(caller, id);
    return requested;
  }
  return caller.accountIds;
}
