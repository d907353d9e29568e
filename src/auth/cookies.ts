/** The session cookies ServiceStack issues (servicestack-wire.md §7.5). */
export const SESSION_ID = 'ss-id';
export const PERMANENT_ID = 'ss-pid';
export const SESSION_OPTIONS = 'ss-opt';

const MAX_COOKIE_HEADER = 8192;
const TWENTY_YEARS_MS = 20 * 365.25 * 24 * 3600 * 1000;

/**
 * Reads a Cookie header leniently: pairs without `=`, names with spaces (the Node client's junk
 * `01 Jan 2100 00:00:00 GMT=null`, §3.3) and undecodable values are skipped, never an error. Only
 * the first 8 KiB are read; the session cookies come first from every client we know.
 */
export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  if (!header) return cookies;
  for (const pair of header.slice(0, MAX_COOKIE_HEADER).split(';')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const name = pair.slice(0, eq).trim();
    if (!name || /\s/.test(name) || cookies.has(name)) continue;
    let value = pair.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    if (!value.includes('%')) cookies.set(name, value);
    else {
      try {
        cookies.set(name, decodeURIComponent(value));
      } catch {
        continue;
      }
    }
  }
  return cookies;
}

export interface SessionCookies {
  readonly sessionId: string;
  readonly permanentId: string;
  readonly permanent: boolean;
}

/** `Set-Cookie` values for a fresh sign-in, with ASP.NET's attribute order (§7.5). */
export function sessionCookieHeaders(cookies: SessionCookies, secure: boolean, now: Date): string[] {
  const expires = new Date(now.getTime() + TWENTY_YEARS_MS).toUTCString();
  const tail = `path=/;${secure ? ' secure;' : ''} samesite=lax; httponly`;
  return [
    `${SESSION_ID}=${cookies.sessionId}; ${tail}`,
    `${PERMANENT_ID}=${cookies.permanentId}; expires=${expires}; ${tail}`,
    `${SESSION_OPTIONS}=${cookies.permanent ? 'perm' : 'temp'}; expires=${expires}; ${tail}`,
  ];
}

/** `Set-Cookie` values that delete the session cookies (logout, §7.6). */
export function expiredCookieHeaders(secure: boolean, now: Date): string[] {
  const yesterday = new Date(now.getTime() - 24 * 3600 * 1000).toUTCString();
  return [SESSION_ID, PERMANENT_ID, SESSION_OPTIONS].map(
    (name) => `${name}=; expires=${yesterday}; path=/;${secure ? ' secure;' : ''} samesite=lax; httponly`,
  );
}
