import { createHash, randomBytes } from 'node:crypto';

/** SHA-256 hex: how sign-in ids and API keys are stored (a stolen table signs nobody in). */
export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * A sign-in id (ServiceStack's "session id", the ss-id/ss-pid cookie) as ServiceStack makes them:
 * 15 secure-random bytes in base64 (20 characters), re-rolled until free of `+` and `/`
 * (servicestack-wire.md §7.5).
 */
export function newSignInId(): string {
  for (;;) {
    const id = randomBytes(15).toString('base64');
    if (!/[+/]/.test(id)) return id;
  }
}

/** An API key in the v8 ApiKeysFeature shape: `ak-` and 24 random bytes, URL-safe (§7.8). */
export const newApiKey = () => 'ak-' + randomBytes(24).toString('base64url');

/** A record id in Evo Voice's shape: 24 hex characters. */
export const newRecordId = () => randomBytes(12).toString('hex');

/** A printable random password for first-run administrators. */
export const newPassword = () => randomBytes(12).toString('base64url');
