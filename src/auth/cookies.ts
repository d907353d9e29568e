/**
 * The sign-in cookies ServiceStack issues (servicestack-wire.md §7.5); ServiceStack calls a sign-in
 * a "session", which Switchboard keeps for calls and chats.
 */
export const SS_ID = 'ss-id';
export const SS_PID = 'ss-pid';
export const SS_OPT = 'ss-opt';

const MAX_COOKIE_HEADER = 8192;
const TWENTY_YEARS_MS = 20 * 365.25 * 24 * 3600 * 1000;

/**
 * One cookie's value from a Cookie header, read leniently: pairs without `=`, names with spaces
 * (the Node client's junk `01 Jan 2100 00:00:00 GMT=null`, §3.3) and undecodable values are
 * skipped, never an error; the first good pair of a name wins. Only the first 8 KiB are read; the
 * sign-in cookies come first from every client we know. One name at a time, without collecting
 * the others: the sign-in cookies are read on every request (bench auth).
 */
export function cookieValue(header: string, name: string): string | undefined {
  const text = header.length > MAX_COOKIE_HEADER ? header.slice(0, MAX_COOKIE_HEADER) : header;
  for (let from = 0; from < text.length; ) {
    const semicolon = text.indexOf(';', from);
    const end = semicolon < 0 ? text.length : semicolon;
    const eq = text.indexOf('=', from);
    if (eq > from && eq < end && text.slice(from, eq).trim() === name) {
      const value = cookieText(text.slice(eq + 1, end));
      if (value !== undefined) return value;
    }
    from = end + 1;
  }
  return undefined;
}

/** A cookie's raw value: quotes dropped, percent-decoded; undefined when it cannot be decoded. */
function cookieText(raw: string): string | undefined {
  let value = raw.trim();
  if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

export interface SignInCookies {
  /** `ss-id`: the browser-lifetime id. */
  readonly temporaryId: string;
  readonly permanentId: string;
  readonly permanent: boolean;
}

/** `Set-Cookie` values for a fresh sign-in, with ASP.NET's attribute order (§7.5). */
export function signInCookieHeaders(cookies: SignInCookies, secure: boolean, now: Date): string[] {
  const expires = new Date(now.getTime() + TWENTY_YEARS_MS).toUTCString();
  const tail = `path=/;${secure ? ' secure;' : ''} samesite=lax; httponly`;
  return [
    `${SS_ID}=${cookies.temporaryId}; ${tail}`,
    `${SS_PID}=${cookies.permanentId}; expires=${expires}; ${tail}`,
    `${SS_OPT}=${cookies.permanent ? 'perm' : 'temp'}; expires=${expires}; ${tail}`,
  ];
}

/** `Set-Cookie` values that delete the sign-in cookies (logout, §7.6). */
export function expiredCookieHeaders(secure: boolean, now: Date): string[] {
  const yesterday = new Date(now.getTime() - 24 * 3600 * 1000).toUTCString();
  return [SS_ID, SS_PID, SS_OPT].map(
    (name) => `${name}=; expires=${yesterday}; path=/;${secure ? ' secure;' : ''} samesite=lax; httponly`,
  );
}
