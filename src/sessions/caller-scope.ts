import { ApiError } from '../http/errors.js';
import type { Caller } from '../http/operation.js';

/**
 * The accounts a request searches: those it names, each of which the caller must be allowed to
 * see (a foreign one is a 403, not an empty list), or every account the caller may see.
 * Until authentication lands an operation may run without a caller; that is treated as `all`.
 *
 * @example
 * accountScope({ userId: 'u', roles: ['User'], accountIds: ['a'] }, undefined) // ['a']
 */
export function accountScope(caller: Caller | undefined, requested: readonly string[] | undefined): readonly string[] | 'all' {
  const allowed = caller?.accountIds ?? 'all';
  if (!requested || requested.length === 0) return allowed;
  if (allowed !== 'all') {
    const foreign = requested.find((id) => !allowed.includes(id));
    if (foreign !== undefined) throw new ApiError('Forbidden', `You do not have access to account '${foreign}'`);
  }
  return [...new Set(requested)];
}
