import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import { bindBody, bindStrings, bindXmlBody, type BodyFormat, type StringMap } from './bind-request.js';
import { batchedName, runAutoBatch } from './auto-batch.js';
import { ApiError } from './errors.js';
import { isFormat, type Format } from './formats.js';
import { negotiateFormat, predefinedFormat } from './negotiate.js';
import { operationName, type Caller, type Operation, type Verb } from './operation.js';
import { sendDto } from './render.js';
import { StoredBody } from './stored-body.js';

const ALL_VERBS: Verb[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
const chosenFormats = new WeakMap<FastifyRequest, Format>();

/** The format a request's answer (or error) is written in, once its route has decided it. */
export const formatOf = (request: FastifyRequest): Format => chosenFormats.get(request) ?? negotiateFormat(request);

/** `/sessions/{sessionId}` → `/sessions/:sessionId`; `{path*}` → `*`. */
export const fastifyPath = (template: string) =>
  template.replace(/\{(\w+)\*\}/g, '*').replace(/\{(\w+)\}/g, ':$1');

const isForm = (request: FastifyRequest) =>
  /^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(request.headers['content-type'] ?? '');

/** The format a body is read in: XML or JSON when its Content-Type says so, else the route's. */
function bodyFormat(request: FastifyRequest, routeFormat: BodyFormat): BodyFormat {
  const type = request.headers['content-type']?.split(';')[0]!.trim().toLowerCase();
  if (type === 'application/xml' || type === 'text/xml') return 'xml';
  if (type === 'application/json') return 'json';
  return routeFormat;
}

/**
 * Binds a request body to the operation's DTO, read as JSON or as DataContractSerializer XML; both
 * go through the same binding, so they are validated and refused alike.
 */
function bindRequestBody(op: Operation, request: FastifyRequest, routeFormat: BodyFormat): Record<string, unknown> {
  const body = request.body;
  if (typeof body !== 'string') return bindBody(op.request, body);
  if (body.trim() === '') return {};
  return bodyFormat(request, routeFormat) === 'xml' ? bindXmlBody(op.request, body) : bindBody(op.request, parseJsonBody(body));
}

function parseJsonBody(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    throw new ApiError('BadRequest', 'The request body is not valid JSON');
  }
}

/**
 * Who sent a request: undefined when it carries no credentials; throws `{challenge}` (an object
 * with a `WWW-Authenticate` value) when its credentials are refused, or an ApiError (e.g. 429).
 */
export type AuthenticateRequest = (request: FastifyRequest) => Promise<Caller | undefined>;

/** A refusal of credentials, answered with the short-circuited 401 (servicestack-wire.md §7.10). */
export interface CredentialsRefused {
  readonly challenge: string;
}

export interface RegisterOptions {
  readonly authenticate: AuthenticateRequest;
  /** The `WWW-Authenticate` value when an anonymous caller reaches a protected operation. */
  readonly challenge: string;
  /** The same for a browser (HTML): a challenge it can answer with its own sign-in prompt. */
  readonly browserChallenge: string;
  /**
   * Literal routes of Evo Voice that Switchboard does not serve (`/endpoints/duplicates`): like the
   * literal routes it serves, never read as the value of a sibling route's path variable.
   */
  readonly reservedPaths?: readonly string[];
}

/**
 * Registers every operation on its custom routes and on ServiceStack's predefined routes
 * (`/api/{Name}`, `/{format}/reply/{Name}`, `/{format}/oneway/{Name}`), with ServiceStack's binding
 * precedence for each (servicestack-wire.md §2.2, §2.3). Every request is authenticated and the
 * operation's `access` enforced before its DTO is bound, so nothing of a protected operation
 * (not even its validation messages) reaches an anonymous caller.
 */
export function registerOperations(app: FastifyInstance, operations: readonly Operation[], options: RegisterOptions): void {
  const byName = new Map(operations.map((op) => [operationName(op).toLowerCase(), op]));

  for (const op of operations) {
    for (const route of op.routes) {
      app.route({
        method: route.verbs as HTTPMethods[],
        url: fastifyPath(route.path),
        handler: async (request, reply) => {
          chosenFormats.set(request, negotiateFormat(request));
          const access = await authorize(op, request, options);
          if (access.refused) return refuse(reply, access.refused);
          // Custom routes: body < path < query < form (§2.3).
          const formPost = isForm(request);
          const form = formPost ? (request.body as StringMap) : {};
          const fromBody = formPost ? {} : bindRequestBody(op, request, 'json');
          const input = bindStrings(op.request, fromBody, request.params as StringMap, request.query as StringMap, form);
          return run(op, input, request, reply, access.caller);
        },
      });
    }
  }

  reserveLiteralRoutes(app, operations, options.reservedPaths ?? []);

  const predefined = (routeFormat: Format | undefined) => async (request: FastifyRequest, reply: FastifyReply) => {
    const params = request.params as { name: string; format?: string };
    const format = routeFormat ?? (params.format?.toLowerCase() as Format);
    chosenFormats.set(request, predefinedFormat(request, format));
    const batch = batchedName(params.name);
    const op = byName.get((batch ?? params.name).toLowerCase());
    if (!op) throw new ApiError('NotImplementedException', 'The operation does not exist for this service');
    const access = await authorize(op, request, options);
    if (access.refused) return refuse(reply, access.refused);
    const routeBodyFormat: BodyFormat = format === 'xml' ? 'xml' : 'json';
    if (batch !== undefined) return runAutoBatch(op, request, reply, access.caller, bodyFormat(request, routeBodyFormat), formatOf(request));
    // Predefined routes: the body is read in the route's format (JSON for /api, even labelled
    // text/plain) unless its Content-Type names XML or JSON; the query string only fills what the
    // body left empty; form fields win over the query (§2.2).
    let input: Record<string, unknown>;
    if (isForm(request)) {
      input = bindStrings(op.request, {}, request.query as StringMap, request.body as StringMap);
    } else {
      const fromBody = bindRequestBody(op, request, routeBodyFormat);
      const fromQuery = bindStrings(op.request, {}, request.query as StringMap);
      input = { ...fromQuery, ...fromBody };
    }
    return run(op, input, request, reply, access.caller);
  };

  app.route({ method: ALL_VERBS, url: '/api/:name', handler: predefined('json') });
  for (const kind of ['reply', 'oneway']) {
    app.route({
      method: ALL_VERBS,
      url: `/:format/${kind}/:name`,
      handler: async (request, reply) => {
        const { format } = request.params as { format: string };
        if (!isFormat(format.toLowerCase())) return reply.callNotFound();
        return predefined(undefined)(request, reply);
      },
    });
  }
}

/**
 * `GET /endpoints/users` must not read `users` as an endpoint id because `POST /endpoints/users`
 * exists: for each literal route (served, or reserved) that a parametric route of the same shape
 * would also match, the verbs only the parametric route serves answer 405 at the literal path
 * (Fastify prefers a static route to a parametric one, verb by verb).
 */
function reserveLiteralRoutes(app: FastifyInstance, operations: readonly Operation[], reserved: readonly string[]): void {
  const verbsAt = new Map<string, Set<Verb>>();
  for (const op of operations) {
    for (const route of op.routes) {
      const verbs = verbsAt.get(route.path.toLowerCase()) ?? new Set<Verb>();
      route.verbs.forEach((v) => verbs.add(v));
      verbsAt.set(route.path.toLowerCase(), verbs);
    }
  }
  const literals = new Set([...verbsAt.keys(), ...reserved.map((p) => p.toLowerCase())].filter((p) => !p.includes('{')));
  const segments = (path: string) => path.split('/');
  const shadows = (template: string, literal: string) => {
    const t = segments(template);
    const l = segments(literal);
    return template.includes('{') && t.length === l.length && t.every((seg, i) => /^\{\w+\}$/.test(seg) || seg === l[i]);
  };
  for (const literal of literals) {
    const own = verbsAt.get(literal) ?? new Set<Verb>();
    const missing = new Set<Verb>();
    for (const [template, verbs] of verbsAt) if (shadows(template, literal)) verbs.forEach((v) => own.has(v) || missing.add(v));
    if (!missing.size) continue;
    app.route({
      method: [...missing] as HTTPMethods[],
      url: literal,
      handler: async (request) => {
        throw new ApiError('MethodNotAllowed', `${request.method} ${literal} is not an operation Switchboard serves (its last segment is not an id)`);
      },
    });
  }
}

interface Refusal {
  readonly status: 401 | 403;
  readonly reason: string;
  readonly challenge?: string;
}

/**
 * Authenticates the request and checks the operation's access: anonymous operations still learn
 * who calls when the credentials are good; SystemAdministrators pass every role check, as
 * ServiceStack's Admin role does.
 */
async function authorize(
  op: Operation,
  request: FastifyRequest,
  options: RegisterOptions,
): Promise<{ caller?: Caller; refused?: Refusal }> {
  const access = op.access ?? { anyRole: [] };
  let caller: Caller | undefined;
  try {
    caller = await options.authenticate(request);
  } catch (error) {
    if (!isRefusal(error)) throw error;
    if ('anonymous' in access) return {};
    return { refused: { status: 401, reason: 'Unauthorized', challenge: error.challenge } };
  }
  if ('anonymous' in access) return { caller };
  if (!caller) {
    const challenge = formatOf(request) === 'html' ? options.browserChallenge : options.challenge;
    return { refused: { status: 401, reason: 'Unauthorized', challenge } };
  }
  const allowed =
    !(access.peopleOnly && caller.apiKeyId !== undefined) &&
    (access.anyRole.length === 0 || caller.roles.includes('SystemAdministrator') || access.anyRole.some((role) => caller.roles.includes(role)));
  return allowed ? { caller } : { refused: { status: 403, reason: 'Invalid Role' } };
}

const isRefusal = (error: unknown): error is CredentialsRefused =>
  typeof error === 'object' && error !== null && typeof (error as CredentialsRefused).challenge === 'string';

/** The short-circuited answer of ServiceStack's auth filters: status, reason phrase, no body (§7.10). */
function refuse(reply: FastifyReply, refusal: Refusal): FastifyReply {
  reply.code(refusal.status);
  reply.raw.statusMessage = refusal.reason;
  reply.header('vary', 'Accept');
  if (refusal.challenge) reply.header('www-authenticate', refusal.challenge);
  return reply.send();
}

async function run(op: Operation, input: Record<string, unknown>, request: FastifyRequest, reply: FastifyReply, caller: Caller | undefined) {
  const result = await op.handle(input, { http: request, reply, caller });
  const format = formatOf(request);
  if (result === undefined || result === null || !op.response) {
    reply.header('vary', 'Accept');
    return reply.code(204).send();
  }
  const body = result instanceof StoredBody ? result : (result as Record<string, unknown>);
  return sendDto(request, reply, format, operationName(op), op.response, body);
}
