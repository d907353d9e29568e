import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Dto } from '../model/dto.js';
import { ErrorResponse, type ResponseStatus } from '../model/response-status.js';
import { writeCsv } from '../wire/csv-writer.js';
import { writeHtml } from '../wire/html-writer.js';
import { writeJson } from '../wire/json-writer.js';
import { writeXml } from '../wire/xml-writer.js';
import { CONTENT_TYPES, type Format } from './formats.js';
import { RenderedCache } from './rendered-cache.js';
import { StoredBody } from './stored-body.js';

const xmlOfStored = new RenderedCache();

/** Writes a DTO in the negotiated format with ServiceStack's headers. */
export function sendDto(
  request: FastifyRequest,
  reply: FastifyReply,
  format: Format,
  operation: string,
  dto: Dto,
  body: Record<string, unknown> | StoredBody,
): FastifyReply {
  reply.header('content-type', CONTENT_TYPES[format]);
  reply.header('vary', 'Accept');
  if (body instanceof StoredBody) {
    if (format === 'json') return reply.send(body.json);
    if (format === 'xml' && body.identity !== undefined) {
      return reply.send(xmlOfStored.render(`${dto.meta.name}:${body.identity}`, body.json, () => writeXml(dto, body.value)));
    }
  }
  const value = body instanceof StoredBody ? body.value : body;
  switch (format) {
    case 'json':
      return reply.send(writeJson(dto, value));
    case 'xml':
      return reply.send(writeXml(dto, value));
    case 'csv':
      reply.header('content-disposition', `attachment;filename="${operation}.csv"`);
      return reply.send(writeCsv(dto, value));
    case 'html':
      return reply.send(writeHtml(dto, value, title(dto, value), { formats: formatLinks(request) }));
  }
}

function title(dto: Dto, value: Record<string, unknown>): string {
  const label = value.displayName ?? value.id;
  return typeof label === 'string' && label ? `${dto.meta.name}: ${label}` : dto.meta.name;
}

/** The same URL with `.json` / `.xml` / `.csv`, for the HTML page's links. */
function formatLinks(request: FastifyRequest): Record<string, string> {
  const url = request.url;
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const query = q < 0 ? '' : url.slice(q);
  return { JSON: `${path}.json${query}`, XML: `${path}.xml${query}`, CSV: `${path}.csv${query}` };
}

/** Writes a ResponseStatus error body; the reason phrase is the error code, as ServiceStack's is. */
export function sendError(
  reply: FastifyReply,
  format: Format,
  status: number,
  reason: string,
  responseStatus: ResponseStatus,
): FastifyReply {
  reply.code(status);
  reply.raw.statusMessage = reason;
  reply.header('vary', 'Accept');
  const body = { responseStatus: { ...responseStatus, errors: responseStatus.errors ?? [] } };
  // CSV and HTML clients still get a body they can read; XML and JSON the ServiceStack shapes.
  const errorFormat: Format = format === 'csv' ? 'json' : format;
  reply.header('content-type', CONTENT_TYPES[errorFormat]);
  switch (errorFormat) {
    case 'xml':
      return reply.send(writeXml(ErrorResponse, body));
    case 'html':
      return reply.send(writeHtml(ErrorResponse, body, `${status} ${reason}`, { formats: {} }));
    default:
      return reply.send(writeJson(ErrorResponse, body));
  }
}
