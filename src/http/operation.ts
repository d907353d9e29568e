import type { FastifyRequest } from 'fastify';
import type { Dto } from '../model/dto.js';

export type Verb = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteSpec {
  /** ServiceStack route template, e.g. `/sessions/{sessionId}`. */
  readonly path: string;
  readonly verbs: readonly Verb[];
  readonly summary?: string;
}

/** What a handler may know of the request it serves, beyond its DTO. */
export interface OperationContext {
  readonly http: FastifyRequest;
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
  handle(input: Req, context: OperationContext): Promise<Res | undefined>;
}

export const operationName = (op: Operation) => op.request.meta.name;
