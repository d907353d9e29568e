import type { FastifyInstance } from 'fastify';
import type { Operation } from '../http/operation.js';
import { operationName } from '../http/operation.js';
import { notFound } from '../http/errors.js';
import { metadataIndex, operationPage, type MetadataFormat } from './operation-page.js';
import { openApiDocument } from './openapi.js';

/** `/metadata`, `/{json|xml|csv}/metadata?op=X` and `/openapi`: the API described from its schemas. */
export function registerMetadata(app: FastifyInstance, operations: readonly Operation[]): void {
  const byName = new Map(operations.map((op) => [operationName(op).toLowerCase(), op]));
  const html = 'text/html; charset=utf-8';
  const index = metadataIndex(operations);
  const openApi = JSON.stringify(openApiDocument(operations));

  app.get('/metadata', async (_request, reply) => reply.type(html).send(index));
  app.get('/openapi', async (_request, reply) => reply.type('application/json; charset=utf-8').send(openApi));
  app.get('/:format/metadata', async (request, reply) => {
    const format = (request.params as { format: string }).format.toLowerCase();
    if (format !== 'json' && format !== 'xml' && format !== 'csv') return reply.callNotFound();
    const query = request.query as Record<string, string | undefined>;
    const opName = Object.entries(query).find(([k]) => k.toLowerCase() === 'op')?.[1];
    if (!opName) return reply.type(html).send(index);
    const op = byName.get(String(opName).toLowerCase());
    if (!op) throw notFound(`No operation named '${String(opName)}'`);
    return reply.type(html).send(operationPage(op, format as MetadataFormat, request.headers.host ?? 'localhost'));
  });
}
