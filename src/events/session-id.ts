import { createHash, randomBytes } from 'node:crypto';

/**
 * The session a provider call belongs to, derived rather than looked up: every callback of a call
 * (or of its child legs, through `ParentCallSid`) names the same session whatever order they arrive
 * in, even before the incoming-call webhook. 24 hex characters, like Evo Voice ids.
 *
 * @example
 * sessionIdForKey('acct_acme', 'twilio', 'CA0123…') // '9f2c…' (always the same)
 */
export function sessionIdForKey(accountId: string, source: string, key: string): string {
  return createHash('sha256').update(`${accountId}\n${source}\n${key}`).digest('hex').slice(0, 24);
}

/** A fresh id for a session created by a user (POST /sessions). */
export const newSessionId = (): string => randomBytes(12).toString('hex');
