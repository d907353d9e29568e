import type { ResponseError } from '../model/response-status.js';

/**
 * Every error Switchboard answers with, by stable code (style habit 7; documented in
 * docs/errors.md). The code is the ResponseStatus `errorCode` and, as ServiceStack does for errors
 * thrown inside a service, the HTTP reason phrase.
 */
export const ERROR_CODES = {
  NotFound: 404,
  /** Request binding failed: a value of the wrong type (ServiceStack's SerializationException). */
  SerializationException: 400,
  /** A request DTO failed validation. */
  ValidationException: 400,
  /** The request body could not be read (malformed JSON, wrong content). */
  BadRequest: 400,
  Unauthorized: 401,
  Forbidden: 403,
  /** `/api/{Name}` for an operation that does not exist. */
  NotImplementedException: 405,
  MethodNotAllowed: 405,
  /** The request did not arrive in time (Node's parser, before any route). */
  RequestTimeout: 408,
  Conflict: 409,
  /** A call-control command on a session that has ended (EndSession excepted: it is idempotent). */
  SessionEnded: 409,
  /** Twilio no longer knows the call or participant as live (20404, 21220); Switchboard reconciles at once. */
  CallNotActive: 409,
  /** RecordSession on a call already being recorded (a recording started and not yet stopped); nothing is sent. */
  RecordingInProgress: 409,
  /** The account has no Twilio Account SID and auth token to act with. */
  TelephonyNotConfigured: 409,
  /** Twilio refused the input (a bad destination, 21211, 21606, 32018…); the Twilio code is in meta. */
  TelephonyRejected: 400,
  PayloadTooLarge: 413,
  UriTooLong: 414,
  TooManyRequests: 429,
  /** The request line and headers are over Node's 16 KiB (the parser, before any route). */
  RequestHeaderFieldsTooLarge: 431,
  /** Anything unexpected; the message is generic and the cause is only logged. */
  InternalServerError: 500,
  /** A read refused because too many are waiting (read-admission.ts); `Retry-After` says when to retry. */
  ServiceUnavailable: 503,
  /** Twilio refused the account's credentials (20003); never 401, which clients read as "your login expired". */
  TelephonyAuthFailed: 502,
  /** Twilio answered 5xx or something that is not its JSON. */
  TelephonyError: 502,
  /** Twilio could not be reached; nothing was changed. */
  TelephonyUnavailable: 503,
  /** Twilio kept answering 429 after the client's retries; `Retry-After` says when to try again. */
  TelephonyRateLimited: 503,
  /** The request to Twilio timed out or was cut: the change may still happen, and the session shows it when Twilio reports it. */
  TelephonyOutcomeUnknown: 504,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fieldErrors: readonly ResponseError[] = [],
    readonly headers: Readonly<Record<string, string>> = {},
    /** ResponseStatus `meta`: the `AutoBatchIndex` of a batch's failing item, the Twilio code behind a telephony error. */
    readonly meta?: Readonly<Record<string, string>>,
  ) {
    super(message);
    this.status = ERROR_CODES[code];
  }
}

export const notFound = (message: string) => new ApiError('NotFound', message);

/** A FluentValidation-style field error: "'Session Id' must not be empty." */
export function validationError(fieldName: string, errorCode: string, message: string): ApiError {
  const error: ResponseError = { errorCode, fieldName, message, meta: { PropertyName: spaced(fieldName) } };
  return new ApiError('ValidationException', message, [error]);
}

/** `SessionId` → `Session Id`, the way FluentValidation names properties in its messages. */
export const spaced = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1 $2');
