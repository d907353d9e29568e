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
 * One ServiceStack operation: its request DTO (whose name is the operation's name, reachable on
 * `/api/{Name}` and `/{format}/reply/{Name}`), its response DTO (none → 204), its custom routes
 * and its handler. Routes, binding, rendering and metadata pages are all derived from this.
 */
export interface Operation<Req = Record<string, unknown>, Res = unknown> {
  readonly request: Dto;
  readonly response?: Dto;
  readonly routes: readonly RouteSpec[];
  readonly description?: string;
  /** Defaults to any signed-in caller. */
  readonly access?: Access;
  handle(input: Req, context: OperationContext): Promise<Res | undefined>;
}

export const operationName = (op: Operation) => op.request.meta.name;
