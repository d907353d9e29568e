import type { FastifyRequest } from 'fastify';
import twilio from 'twilio';
import { ApiError } from '../http/errors.js';
import type { DirectoryReads, TwilioAccount } from '../events/directory-reads.js';

export type FormParams = Record<string, string | string[]>;

/**
 * The URL Twilio signed: the configured public base URL (behind a proxy or tunnel Twilio calls a
 * different host than the one we see) plus the path and query as requested; without one, the URL as
 * this server received it.
 */
export function signedUrl(request: FastifyRequest, publicUrl: string | undefined): string {
  const pathAndQuery = request.originalUrl;
  if (publicUrl) return publicUrl.replace(/\/+$/, '') + pathAndQuery;
  return `${request.protocol}://${request.headers.host ?? request.hostname}${pathAndQuery}`;
}

/** The form fields of a Twilio callback; anything else is a 400 before a signature is even checked. */
export function formParams(request: FastifyRequest): FormParams {
  const type = request.headers['content-type'] ?? '';
  if (!/^application\/x-www-form-urlencoded/i.test(type) || typeof request.body !== 'object' || request.body === null) {
    throw new ApiError('BadRequest', 'Twilio callbacks are application/x-www-form-urlencoded');
  }
  return { ...(request.body as FormParams) };
}

/** A single form value (Twilio never repeats the fields we read; a repeat is malformed). */
export function field(params: FormParams, name: string): string | undefined {
  const value = params[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * Checks `X-Twilio-Signature` with the official `twilio` package against the account's primary,
 * then secondary, auth token (telephony-events.md §1(d)). Missing signature or AccountSid → 400;
 * unknown account or no token matches → 403. Returns the account the callback belongs to.
 */
export async function verifyTwilioRequest(
  request: FastifyRequest,
  params: FormParams,
  directory: DirectoryReads,
  publicUrl: string | undefined,
): Promise<TwilioAccount> {
  const signature = request.headers['x-twilio-signature'];
  if (typeof signature !== 'string' || signature === '') throw new ApiError('BadRequest', 'The X-Twilio-Signature header is missing');
  const accountSid = field(params, 'AccountSid');
  if (!accountSid) throw new ApiError('BadRequest', 'AccountSid is missing');
  const account = await directory.accountByTwilioSid(accountSid);
  const url = signedUrl(request, publicUrl);
  if (!account || !account.authTokens.some((token) => twilio.validateRequest(token, signature, url, params))) {
    throw new ApiError('Forbidden', 'The X-Twilio-Signature is not valid for this request');
  }
  return account;
}
