import type { SessionInfo } from '../../model/session-info.js';

/** An API answer that was not 2xx, with the message the console shows for it. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * What a person is told for the errors call control and messaging answer (their codes are in
 * docs/errors.md). The server's own message follows, so nothing it says is hidden.
 */
const EXPLAINED: Record<string, string> = {
  SessionEnded: 'The call has already ended.',
  CallNotActive: 'The call has already ended on Twilio’s side; the page updates once Switchboard has checked.',
  TelephonyNotConfigured: 'Telephony is not configured for this account (no Twilio credentials).',
  TelephonyUnavailable: 'Twilio could not be reached; nothing was changed.',
  TelephonyOutcomeUnknown: 'Twilio did not answer in time; the change may still happen.',
  TelephonyRejected: 'Twilio refused the request.',
  Forbidden: 'Not allowed for you.',
};

function explain(status: number, errorCode: string, message: string): string {
  const known = EXPLAINED[errorCode];
  if (known) return message && message !== known ? `${known} (${message})` : known;
  if (status === 404) return `Not found: this server does not offer it, or the record is gone${message ? ` (${message})` : ''}.`;
  if (status === 403) return `Not allowed for you${message ? ` (${message})` : ''}.`;
  if (status === 401) return 'You are signed out; sign in again.';
  return message || `The server answered ${status}.`;
}

/** A JSON request to the same origin with the sign-in cookie; throws ApiFailure on a non-2xx. */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method, credentials: 'same-origin', headers: { accept: 'application/json' } };
  if (body !== undefined) {
    init.headers = { accept: 'application/json', 'content-type': 'application/json' };
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  const text = await res.text();
  if (!res.ok) {
    let errorCode = '';
    let message = '';
    try {
      const status = (JSON.parse(text) as { responseStatus?: { errorCode?: string; message?: string } }).responseStatus;
      errorCode = status?.errorCode ?? '';
      message = status?.message ?? '';
    } catch {
      // not a ResponseStatus body (a 404 from no route at all, or an empty 401)
    }
    throw new ApiFailure(res.status, errorCode, explain(res.status, errorCode, message));
  }
  return (text ? JSON.parse(text) : undefined) as T;
}

/** `ListResponse<SessionInfo>` as GET /sessions answers it. */
export interface SessionList {
  items: SessionInfo[];
  totalCount?: number;
  totalPages?: number;
  hasMorePages?: boolean;
}

export const query = (params: Record<string, string | number | boolean | undefined>) =>
  new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => [k, String(v)])).toString();
