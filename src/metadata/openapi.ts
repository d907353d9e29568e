import type { TSchema } from '@sinclair/typebox';
import type { Dto } from '../model/dto.js';
import { membersOf } from '../model/members.js';
import { ErrorResponse } from '../model/response-status.js';
import { operationName, type Operation } from '../http/operation.js';
import { typesOf } from './types-of.js';

/** Replaces nested DTO and enum schemas (they carry `$id`) with `$ref`s to components. */
function refs(schema: TSchema, top = true): unknown {
  if (!top && typeof schema.$id === 'string') return { $ref: `#/components/schemas/${schema.$id}` };
  if (Array.isArray(schema)) return schema.map((s) => refs(s, false));
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === '$id') continue;
    out[k] = typeof v === 'object' && v !== null ? refs(v as TSchema, false) : v;
  }
  return out;
}

/** OpenAPI 3.0 for every operation, from the same schemas that validate and serialize. */
export function openApiDocument(operations: readonly Operation[]): object {
  const components: Record<string, unknown> = {};
  const paths: Record<string, Record<string, unknown>> = {};
  const roots: Dto[] = [ErrorResponse];
  for (const op of operations) {
    roots.push(op.request, ...(op.response ? [op.response] : []));
    const name = operationName(op);
    for (const route of op.routes) {
      const path = route.path.replace(/\{(\w+)\*\}/g, '{$1}');
      const pathVars = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!.toLowerCase());
      for (const verb of route.verbs) {
        const members = membersOf(op.request);
        const withBody = verb !== 'GET' && verb !== 'DELETE';
        const parameters = members
          .filter((m) => pathVars.includes(m.key.toLowerCase()) || !withBody)
          .map((m) => ({
            name: m.key,
            in: pathVars.includes(m.key.toLowerCase()) ? 'path' : 'query',
            required: pathVars.includes(m.key.toLowerCase()),
            description: m.description,
            schema: refs(op.request.schema.properties[m.key] as TSchema, false),
          }));
        const anonymous = op.access !== undefined && 'anonymous' in op.access;
        (paths[path] ??= {})[verb.toLowerCase()] = {
          ...(anonymous ? { security: [] } : {}),
          operationId: route.verbs.length > 1 || op.routes.length > 1 ? `${name}_${verb}` : name,
          summary: route.summary ?? op.description,
          parameters,
          ...(withBody
            ? {
                requestBody: {
                  content: {
                    'application/json': { schema: { $ref: `#/components/schemas/${name}` } },
                    // As DataContractSerializer writes the DTO (README, request bodies).
                    'application/xml': { schema: { $ref: `#/components/schemas/${name}` } },
                  },
                },
              }
            : {}),
          responses: {
            [op.response ? '200' : '204']: op.response
              ? {
                  description: op.response.meta.name,
                  content: {
                    'application/json': { schema: { $ref: `#/components/schemas/${op.response.meta.name}` } },
                    'application/xml': { schema: { $ref: `#/components/schemas/${op.response.meta.name}` } },
                  },
                }
              : { description: 'No Content' },
            default: {
              description: 'A ServiceStack ResponseStatus error',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponse' } } },
            },
          },
        };
      }
    }
  }
  for (const entry of typesOf(roots)) {
    const schema = entry.kind === 'dto' ? entry.dto.schema : entry.def.schema;
    components[entry.kind === 'dto' ? entry.dto.meta.name : entry.def.name] =
      entry.kind === 'enum' ? { type: 'string', enum: [...entry.def.values] } : refs(schema);
  }
  return {
    openapi: '3.0.3',
    info: { title: 'Switchboard (Evo Voice Sessions API)', version: '0.1.0' },
    paths,
    // Every operation needs one of these unless it says `security: []` (sign-in itself).
    security: [{ basic: [] }, { apiKey: [] }, { session: [] }],
    components: {
      schemas: components,
      securitySchemes: {
        basic: { type: 'http', scheme: 'basic', description: 'email:password, or an API key as the user name' },
        apiKey: { type: 'http', scheme: 'bearer', description: 'an API key (ak-…)' },
        session: { type: 'apiKey', in: 'cookie', name: 'ss-id', description: 'set by POST /auth/credentials' },
      },
    },
  };
}
