import { ApiError } from '../http/errors.js';

/**
 * What a failed Twilio request means for the command that sent it:
 * - `refused`: Twilio answered and changed nothing (bad input, credentials, 5xx, 429);
 * - `notActive`: the call or participant is no longer live at Twilio; ask for its state;
 * - `unknown`: no answer came (timeout, connection cut): the change may still happen; ask later.
 * - `unsent`: Twilio could not be reached at all, so certainly nothing changed.
 */
export type FailureOutcome = 'refused' | 'notActive' | 'unknown' | 'unsent';

export interface TelephonyFailure {
  readonly error: ApiError;
  readonly outcome: FailureOutcome;
  /** Twilio's error code, when it sent one. */
  readonly twilioCode?: string;
}

/** twilio-node's RestException (and TwilioServiceException), read structurally: status, code, moreInfo. */
interface RestLike {
  readonly status: number;
  readonly code?: number;
  readonly message: string;
  readonly moreInfo?: string;
}

const isRest = (error: unknown): error is RestLike =>
  error instanceof Error && typeof (error as { status?: unknown }).status === 'number' && !('isAxiosError' in error);

/** twilio-node passes transport failures through as raw AxiosErrors (call-control-and-messaging.md §3). */
const transportCode = (error: unknown): string | undefined =>
  typeof error === 'object' && error !== null && (error as { isAxiosError?: boolean }).isAxiosError ? String((error as { code?: string }).code ?? 'UNKNOWN') : undefined;

/** Connection never made: the request certainly did not reach Twilio. */
const UNSENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ERR_INVALID_URL']);

/** Twilio codes that mean "that call or participant is not live any more" (20404 unknown resource, 21220 not in progress). */
const NOT_ACTIVE_CODES = new Set([20404, 21220]);

/**
 * Maps whatever the `twilio` package threw onto a ServiceStack error a client can act on, with
 * Twilio's details in `responseStatus.meta` (docs/errors.md). Never a 401 (Twilio refusing *our*
 * credentials is not the caller's expired login) and never a 500.
 *
 * @example
 * telephonyFailure(restException404) // { outcome: 'notActive', error: ApiError('CallNotActive', …, meta: { twilioCode: '20404', … }) }
 */
export function telephonyFailure(error: unknown, what: string): TelephonyFailure {
  const transport = transportCode(error);
  if (transport !== undefined) {
    if (UNSENT.has(transport)) {
      return { outcome: 'unsent', error: new ApiError('TelephonyUnavailable', `Twilio could not be reached; nothing was changed (${transport})`, [], {}, { transport }) };
    }
    return {
      outcome: 'unknown',
      error: new ApiError('TelephonyOutcomeUnknown', `Twilio did not answer in time (${transport}): ${what} may still happen; the session updates when Twilio reports it`, [], {}, { transport }),
    };
  }
  if (!isRest(error)) {
    return { outcome: 'unknown', error: new ApiError('TelephonyError', `The request to Twilio failed: ${what} may or may not have happened`) };
  }
  const meta: Record<string, string> = { twilioStatus: String(error.status) };
  if (error.code !== undefined) meta.twilioCode = String(error.code);
  if (error.moreInfo) meta.moreInfo = error.moreInfo;
  const failure = (code: ConstructorParameters<typeof ApiError>[0], message: string, outcome: FailureOutcome, headers: Record<string, string> = {}): TelephonyFailure => ({
    outcome,
    twilioCode: meta.twilioCode,
    error: new ApiError(code, message, [], headers, meta),
  });
  if (error.status === 401 || error.code === 20003) return failure('TelephonyAuthFailed', 'Twilio refused this account’s credentials; nothing was changed', 'refused');
  if (error.status === 429) return failure('TelephonyRateLimited', 'Twilio is rate-limiting this account; nothing was changed, try again shortly', 'refused', { 'Retry-After': '1' });
  if (error.status >= 500 || error.code === undefined) return failure('TelephonyError', `Twilio returned HTTP ${error.status}; nothing was changed`, 'refused');
  if (error.status === 404 || NOT_ACTIVE_CODES.has(error.code) || /not connected/i.test(error.message)) {
    return failure('CallNotActive', `Twilio no longer has ${what.replace(/^\w+ /, '')} live; its state is being checked`, 'notActive');
  }
  return failure('TelephonyRejected', `Twilio refused ${what}: ${error.message}`, 'refused');
}
