import type { FastifyReply, FastifyRequest } from 'fastify';
import { fromXml } from '../model/from-xml.js';
import { writeJson } from '../wire/json-writer.js';
import { parseXml, XmlSyntaxError } from '../wire/xml-reader.js';
import { writeXmlList } from '../wire/xml-writer.js';
import { bindBody, bound, type BodyFormat } from './bind-request.js';
import { ApiError } from './errors.js';
import { CONTENT_TYPES, type Format } from './formats.js';
import { operationName, type Caller, type Operation } from './operation.js';
import { StoredBody } from './stored-body.js';

/** ServiceStack's header: how many items of a batch ran before the first failure (all, on success). */
export const AUTO_BATCH_COMPLETED = 'X-AutoBatch-Completed';

/** `GetSession[]` → `GetSession`; undefined for a name that is not a batch. */
export const batchedName = (name: string) => (name.endsWith('[]') ? name.slice(0, -2) : undefined);

/**
 * An auto-batched request (`POST /api/GetSession[]`, `/json/reply/…[]`, `/{format}/oneway/…[]`,
 * as `@servicestack/client`'s `sendAll`/`sendAllOneWay` send it): an array of request DTOs answered
 * by an array of responses, in order (servicestack-wire.md §2.1). Every item is bound before any
 * runs; then each runs as a request of its own would (the handler checks that the caller may
 * touch its record), one after another. The first failure stops the batch, as ServiceStack's
 * does: its error is the answer, with the item's index in `responseStatus.meta.AutoBatchIndex`
 * and `X-AutoBatch-Completed` saying how many items ran (and took effect) before it.
 */
export async function runAutoBatch(
  op: Operation,
  request: FastifyRequest,
  reply: FastifyReply,
  caller: Caller | undefined,
  bodyFormat: BodyFormat,
  format: Format,
): Promise<FastifyReply> {
  const inputs = batchInputs(op, request.body, bodyFormat);
  const results: unknown[] = [];
  for (const [index, input] of inputs.entries()) {
    try {
      results.push(await op.handle(input, { http: request, reply, caller }));
    } catch (error) {
      throw failedItem(error, index, index, request);
    }
  }
  reply.header(AUTO_BATCH_COMPLETED, String(inputs.length));
  reply.header('vary', 'Accept');
  if (!op.response) return reply.code(204).send();
  const values = results.map((r) => (r instanceof StoredBody ? r.value : (r ?? {})) as Record<string, unknown>);
  if (format === 'xml') {
    reply.header('content-type', CONTENT_TYPES.xml);
    return reply.send(writeXmlList(op.response, values));
  }
  reply.header('content-type', CONTENT_TYPES.json);
  const response = op.response;
  return reply.send('[' + results.map((r, i) => (r instanceof StoredBody ? r.json : writeJson(response, values[i]))).join(',') + ']');
}

/** The request DTOs of a batch: a JSON array, or `<ArrayOfGetSession>` of `<GetSession>` in XML. */
function batchInputs(op: Operation, body: unknown, bodyFormat: BodyFormat): Record<string, unknown>[] {
  if (typeof body === 'string' && bodyFormat === 'xml') return xmlItems(op, body);
  const name = operationName(op);
  const items = typeof body === 'string' ? jsonItems(name, body) : (body ?? []);
  if (!Array.isArray(items)) throw new ApiError('BadRequest', `An auto-batched request's body is an array of ${name} requests`);
  return items.map((item, index) => {
    try {
      return bindBody(op.request, item);
    } catch (error) {
      throw failedItem(error, index, 0);
    }
  });
}

function jsonItems(name: string, body: string): unknown {
  if (body.trim() === '') return [];
  try {
    return JSON.parse(body);
  } catch {
    throw new ApiError('BadRequest', `The request body is not valid JSON (an array of ${name} requests)`);
  }
}

function xmlItems(op: Operation, body: string): Record<string, unknown>[] {
  if (body.trim() === '') return [];
  const name = operationName(op);
  let root;
  try {
    root = parseXml(body);
  } catch (error) {
    if (!(error instanceof XmlSyntaxError)) throw error;
    throw new ApiError('BadRequest', `The request body is not valid XML: ${error.message}`);
  }
  if (root.name.toLowerCase() !== `arrayof${name.toLowerCase()}`) {
    throw new ApiError('SerializationException', `Unable to bind to request '${name}[]'`, [
      { errorCode: 'SerializationException', fieldName: name, message: `expected element 'ArrayOf${name}', got '${root.name}'` },
    ]);
  }
  return root.children.map((child, index) => {
    try {
      return bound(op.request, fromXml(op.request, child));
    } catch (error) {
      throw failedItem(error, index, 0);
    }
  });
}

/**
 * The error of the batch's item `index`, carrying its index and how many items had `completed`;
 * anything unexpected is logged with the request and made generic, as the error handler does.
 */
function failedItem(error: unknown, index: number, completed: number, request?: FastifyRequest): ApiError {
  const headers = { [AUTO_BATCH_COMPLETED]: String(completed) };
  const meta = { AutoBatchIndex: String(index) };
  if (error instanceof ApiError) return new ApiError(error.code, error.message, error.fieldErrors, { ...error.headers, ...headers }, { ...error.meta, ...meta });
  request?.log.error({ err: error, autoBatchIndex: index }, 'unhandled error');
  return new ApiError('InternalServerError', 'An unexpected error occurred; it has been logged.', [], headers, meta);
}
