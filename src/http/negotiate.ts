import type { IncomingMessage } from 'node:http';
import { isFormat, type Format } from './formats.js';

const suffixFormats = new WeakMap<IncomingMessage, Format>();

/**
 * Strips a known format suffix from the last path segment (`/sessions/abc.xml`) before routing, as
 * ServiceStack's AllowRouteContentTypeExtensions does; `/users/john.smith` is left alone.
 * Used as Fastify's `rewriteUrl`.
 */
export function stripFormatSuffix(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const dot = path.lastIndexOf('.');
  if (dot < 0 || dot < path.lastIndexOf('/')) return url;
  const ext = path.slice(dot + 1).toLowerCase();
  if (!isFormat(ext)) return url;
  suffixFormats.set(req, ext);
  return path.slice(0, dot) + (q < 0 ? '' : url.slice(q));
}

// The server's preference order after ServiceStack's startup; q-values are ignored (§1.1 step 5).
const PREFERRED: ReadonlyArray<readonly [string, Format]> = [
  ['application/json', 'json'],
  ['text/html', 'html'],
  ['application/xml', 'xml'],
];
const BY_PREFIX: ReadonlyArray<readonly [string, Format]> = [
  ['text/csv', 'csv'],
  ['text/xml', 'xml'],
  ['application/csv', 'csv'],
];

export interface NegotiationInput {
  readonly raw: IncomingMessage;
  readonly query: unknown;
  readonly headers: IncomingMessage['headers'];
}

/** `?format=json.pretty` → `json`; unknown formats are ignored, never a 406. */
function queryFormat(query: unknown): Format | undefined {
  if (typeof query !== 'object' || query === null) return undefined;
  for (const [k, v] of Object.entries(query)) {
    if (k.toLowerCase() !== 'format') continue;
    const value = (Array.isArray(v) ? v[0] : v) as unknown;
    if (typeof value !== 'string') return undefined;
    const name = value.split('.')[0]!.toLowerCase();
    return isFormat(name) ? name : undefined;
  }
  return undefined;
}

function contentTypeFormat(contentType: string | undefined): Format | undefined {
  const type = contentType?.split(';')[0]!.trim().toLowerCase();
  if (!type) return undefined;
  return PREFERRED.find(([t]) => t === type)?.[1] ?? BY_PREFIX.find(([t]) => type.startsWith(t))?.[1];
}

function acceptFormat(headers: IncomingMessage['headers']): Format | undefined {
  const accept = headers.accept;
  if (!accept) return undefined;
  const entries = accept.split(',').map((e) => e.split(';')[0]!.trim().toLowerCase());
  const requestType = contentTypeFormat(headers['content-type']);
  for (const [type, format] of PREFERRED) {
    if (format === requestType && entries.includes(type)) return format;
  }
  for (const [type, format] of PREFERRED) if (entries.includes(type)) return format;
  if (entries.includes('*/*')) return requestType;
  for (const entry of entries) {
    const match = BY_PREFIX.find(([t]) => entry.startsWith(t));
    if (match) return match[1];
  }
  return undefined;
}

/**
 * The response format of a custom route: suffix, `?format=`, Accept in server order, then JSON
 * (servicestack-wire.md §1.1).
 */
export function negotiateFormat(req: NegotiationInput): Format {
  return suffixFormats.get(req.raw) ?? queryFormat(req.query) ?? acceptFormat(req.headers) ?? 'json';
}

/**
 * The response format of a predefined route (`/api/X`, `/xml/reply/X`): suffix or `?format=`,
 * else the route's own; Accept is ignored (§1.2).
 */
export function predefinedFormat(req: NegotiationInput, routeFormat: Format): Format {
  return suffixFormats.get(req.raw) ?? queryFormat(req.query) ?? routeFormat;
}
