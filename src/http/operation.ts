import type { Static } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Dto } from '../model/dto.js';

export type Verb = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteSpec {
  /** ServiceStack route template, e.g. `/sessions/{sessionId}`. */
  readonly path: string;
  readonly verbs: readonly Verb[];
  readonly summary?: string;
}

export const ROLES = ['User', 'Manager', 'SystemAdministrator', 'Customer', 'CallCenterDashboard'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling, once authentication has run. */
export interface Caller {
  readonly userId: string;
  readonly roles: readonly Role[];
  /** The accounts the caller may see; SystemAdministrators see every account. */
  readonly accountIds: readonly string[] | 'all';
  /** Set when a machine calls with an API key (its roles and one account come from the key). */
  readonly apiKeyId?: string;
}

/**
 * Who may call an operation: `anonymous` (sign-in, webhooks that verify their own signatures), or
 * any signed-in caller holding one of `anyRole` (any signed-in caller when it is empty). `peopleOnly`
 * refuses API keys whatever their roles: keys are for machines, and a machine does not make, change
 * or remove people (a leaked key must not mint password logins).
 */
export type Access = { readonly anonymous: true } | { readonly anyRole: readonly Role[]; readonly peopleOnly?: true };

/** What a handler may know of the request it serves, beyond its DTO. */
export interface OperationContext {
  readonly http: FastifyRequest;
  /** For the few operations that set headers (sign-in cookies). */
  readonly reply: FastifyReply;
  /** Undefined only for anonymous operations. */
  readonly caller?: Caller;
}

/**
 * What a request DTO binds to: its schema's static type. The binder (`bind-request.ts`) fills the
 * DTO member by member from the schema, so this is what a handler receives, by construction.
 */
export type RequestOf<D extends Dto> = Static<D['schema']>;

/**
 * One ServiceStack operation: its request DTO (whose name is the operation's name, reachable on
 * `/api/{Name}` and `/{format}/reply/{Name}`), its response DTO (none → 204), its custom routes
 * and its handler. Routes, binding, rendering and metadata pages are all derived from this.
 *
 * Declare one as `Operation<typeof Request>`: the handler's input is then the request DTO's type,
 * so a handler that expects other members or narrower values than its schema binds is a type error
 * (test/http/operation-types.test-d.ts, checked by `npm run typecheck`). Plain `Operation` is any
 * operation, as the registries, the router and the metadata writers hold them; it takes any handler,
 * so lint refuses it as the type of a declaration (eslint.config.js).
 *
 * @example
 * export function getSessionOperation(sessions: SessionsRepository): Operation<typeof GetSession> {
 *   return { request: GetSession, response: SessionInfo, routes: [{ path: '/sessions/{sessionId}', verbs: ['GET'] }],
 *     handle: async ({ sessionId }, { caller }) => found(sessions, sessionId, caller) };
 * }
 */
export type Operation<D extends Dto = Dto, Res = unknown> = Dto extends D ? AnyOperation : DeclaredOperation<D, Res>;

/** Any operation, as its holders call it with the DTO the binder filled. */
interface AnyOperation {
  readonly request: Dto;
  readonly response?: Dto;
  readonly routes: readonly RouteSpec[];
  readonly description?: string;
  /** Defaults to any signed-in caller. */
  readonly access?: Access;
  // A method, so every declared operation fits here whatever its request type.
  handle(input: Record<string, unknown>, context: OperationContext): Promise<unknown>;
}

/**
 * An operation as declared, its handler's input its request's type. `handle` is a function
 * property, not a method: a method's parameters are checked bivariantly, which would let through a
 * handler typed narrower than its schema (`callState?: 'Hold'` for a schema that binds five states).
 */
interface DeclaredOperation<D extends Dto, Res> extends Omit<AnyOperation, 'request' | 'handle'> {
  readonly request: D;
  readonly handle: (input: RequestOf<D>, context: OperationContext) => Promise<Res | undefined>;
}

export const operationName = (op: Operation) => op.request.meta.name;
