import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { ApiError } from './errors.js';

/**
 * What names a secret, wherever it appears: `password`, `twilioAuthToken(Secondary)`,
 * `accessToken(Secret)`, `apiKey`… matched by name, so a secret member added to any DTO later is
 * covered without a second list to keep.
 */
const SECRET_NAME = /password|secret|token|api[-_]?key/i;

export const isSecretName = (name: string) => SECRET_NAME.test(name);

/**
 * A route's config flag: it may take an API key as `?apikey=`, `?ss-tok=` or `?bearerToken=`
 * (`/event-stream`: Node's EventSource and cross-site browsers cannot send headers, as in
 * ServiceStack). Those three only; a password is refused there too, and the logs are redacted.
 */
export const QUERY_CREDENTIALS = 'acceptsQueryCredentials';
const QUERY_CREDENTIAL_NAMES = new Set(['apikey', 'ss-tok', 'bearertoken']);

/**
 * Refuses a request whose query string names a secret, on every route (custom, `/api/…`,
 * `/{format}/reply|oneway/…`, metadata): a URL is written to access logs, proxies and browser
 * history, where a body is not. ServiceStack refuses `GET /auth/credentials` for the same reason.
 */
export function refuseSecretsInUrls(app: FastifyInstance): void {
  // A callback hook, not an async one: it runs on every request, and most have no query string.
  app.addHook('onRequest', (request, _reply, done) => {
    const allowed = (request.routeOptions.config as unknown as Record<string, unknown> | undefined)?.[QUERY_CREDENTIALS] === true;
    const refused = (key: string) => isSecretName(key) && !(allowed && QUERY_CREDENTIAL_NAMES.has(key.toLowerCase()));
    const name = request.url.includes('?') ? Object.keys(request.query as Record<string, unknown>).find(refused) : undefined;
    done(name ? new ApiError('BadRequest', `'${name}' must be sent in the request body, never in the URL`) : undefined);
  });
}

const NAMES = String.raw`[\w.:-]*(?:password|secret|token|api[-_]?key|authorization|cookie|ss-tok)[\w.-]*`;
// A JSON string member at any depth of escaping (a body logged as text is JSON inside JSON): the
// run of backslashes before the name's quotes closes the value too, and one more escapes a quote.
const JSON_MEMBER = new RegExp(String.raw`((\\*)"${NAMES}\2"\s*:\s*\2")[\s\S]*?((?<!\\)\2")`, 'gi');
const FORM_FIELD = new RegExp(String.raw`((?:^|[?&;\s"'])${NAMES}=)[^&;\s"'#]*`, 'gi');
const XML_ELEMENT = new RegExp(String.raw`(<(${NAMES})>)[^<]*(</\2>)`, 'gi');
const CREDENTIAL = /\b(Basic|Bearer|ss-id=|ss-pid=)\s*[A-Za-z0-9+/=._~%-]+/g;
const HINT = /password|secret|token|api[-_]?key|authorization|cookie|basic|bearer|ss-p?id|ss-tok/i;

/**
 * A log line with every secret value replaced by `***`: JSON members (also JSON logged as a
 * string), form and query fields, XML elements, Basic/Bearer credentials and sign-in cookies.
 * Lines with no secret-like word (nearly all) cost one regular-expression test.
 *
 * @example
 * redactSecrets('{"url":"/auth?password=hunter2"}') // '{"url":"/auth?password=***"}'
 */
export function redactSecrets(line: string): string {
  if (!HINT.test(line)) return line;
  return line
    .replace(JSON_MEMBER, '$1***$3')
    .replace(FORM_FIELD, '$1***')
    .replace(XML_ELEMENT, '$1***$3')
    .replace(CREDENTIAL, (_match, scheme: string) => `${scheme}${scheme.endsWith('=') ? '' : ' '}***`);
}

/**
 * The app's logger options with every line passed through `redactSecrets` just before it is
 * written (pino's `streamWrite` hook): whatever a line carries — a request URL, a body, an
 * error's message and stack — and whoever logs it.
 */
export function redactingLogger(logger: FastifyServerOptions['logger']): FastifyServerOptions['logger'] {
  if (!logger) return false;
  const options = logger === true ? {} : logger;
  const previous = options.hooks?.streamWrite;
  const streamWrite = previous ? (line: string) => redactSecrets(previous(line)) : redactSecrets;
  return { ...options, hooks: { ...options.hooks, streamWrite } };
}
