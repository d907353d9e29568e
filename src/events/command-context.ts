import { ApiError } from '../http/errors.js';
import type { OperationContext } from '../http/operation.js';
import { validationError } from '../http/errors.js';
import type { DirectoryReads } from './directory-reads.js';

/** Who a command is recorded as done by: the signed-in caller, or `system` until auth lands. */
export const actorOf = (context: OperationContext): string => context.caller?.userId ?? 'system';

/**
 * The account a command acts in: the one named, which the caller must be allowed to see, or the
 * caller's only account when none is named.
 */
export function accountFor(named: string | undefined, context: OperationContext): string {
  const allowed = context.caller?.accountIds;
  if (named) {
    if (allowed && allowed !== 'all' && !allowed.includes(named)) throw new ApiError('Forbidden', `Account '${named}' is not yours`);
    return named;
  }
  if (allowed && allowed !== 'all' && allowed.length === 1) return allowed[0]!;
  throw validationError('AccountId', 'NotEmpty', "'Account Id' must not be empty.");
}

/** The account a command acts in, which must exist (a typo must not create sessions for nobody). */
export async function existingAccountFor(named: string | undefined, context: OperationContext, directory: DirectoryReads): Promise<string> {
  const accountId = accountFor(named, context);
  if ((await directory.accountName(accountId)) === undefined) throw new ApiError('NotFound', `Account '${accountId}' does not exist`);
  return accountId;
}
