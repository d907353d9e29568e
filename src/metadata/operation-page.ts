import type { Dto } from '../model/dto.js';
import { clrTypeName, membersOf } from '../model/members.js';
import { sampleOf } from '../model/sample.js';
import type { Operation } from '../http/operation.js';
import { operationName } from '../http/operation.js';
import { escapeHtml } from '../wire/html/escape.js';
import { writeCsv } from '../wire/csv-writer.js';
import { writeXml } from '../wire/xml-writer.js';
import { typesOf } from './types-of.js';

export type MetadataFormat = 'json' | 'xml' | 'csv';

const CONTENT_TYPE: Record<MetadataFormat, string> = { json: 'application/json', xml: 'application/xml', csv: 'text/csv' };

/** The verb ServiceStack's sample request uses: POST > PUT > PATCH > GET > DELETE. */
const VERB_PREFERENCE = ['POST', 'PUT', 'PATCH', 'GET', 'DELETE'] as const;

function parameterOf(op: Operation, dto: Dto, key: string): string {
  if (dto !== op.request) return 'form';
  const inPath = op.routes.some((r) => r.path.toLowerCase().includes(`{${key.toLowerCase()}}`));
  if (inPath) return 'path';
  const verbs = op.routes.flatMap((r) => r.verbs);
  return verbs.every((v) => v === 'GET' || v === 'DELETE') ? 'query' : 'body';
}

function parameterTable(op: Operation, dto: Dto): string {
  const own = new Set(dto.ownKeys);
  const rows = membersOf(dto)
    .filter((m) => own.has(m.key))
    .map((m) => {
      const required = dto.schema.required?.includes(m.key) ? 'Yes' : 'No';
      return `<tr><td>${m.name}</td><td>${parameterOf(op, dto, m.key)}</td><td>${escapeHtml(clrTypeName(m.type))}</td><td>${required}</td><td>${escapeHtml(m.description ?? '')}</td></tr>`;
    });
  return `<table class="params"><caption><b>${dto.meta.name}</b> Parameters:</caption><thead><tr><th>Name</th><th>Parameter</th><th>Data Type</th><th>Required</th><th>Description</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function sampleBody(dto: Dto, format: MetadataFormat): string {
  const sample = sampleOf(dto);
  switch (format) {
    case 'xml':
      return writeXml(dto, sample, { indent: true, declaration: false });
    case 'json':
      return JSON.stringify(sample, null, 4);
    case 'csv':
      return writeCsv(dto, sample);
  }
}

/** ServiceStack's "Requires Authentication" box: shown unless the operation is anonymous. */
function authenticationTable(op: Operation): string {
  const access = op.access ?? { anyRole: [] };
  if ('anonymous' in access) return '';
  const roles = access.anyRole.length ? `<tr><th>Required roles (any of):</th><td>${access.anyRole.join(', ')}</td></tr>` : '';
  const people = access.peopleOnly ? '<tr><th>API keys:</th><td>not accepted (a person must sign in)</td></tr>' : '';
  return `<table class="auth"><caption><b>Requires Authentication</b></caption><tbody>${roles}${people}</tbody></table>`;
}

/** The page ServiceStack serves at `/{format}/metadata?op={Operation}`, generated from the DTOs. */
export function operationPage(op: Operation, format: MetadataFormat, host: string): string {
  const name = operationName(op);
  const roots = op.response ? [op.request, op.response] : [op.request];
  const routes = op.routes
    .map((r) => `<tr><th>${r.verbs.join(',')}</th><th>${escapeHtml(r.path)}</th><td>${escapeHtml(r.summary ?? '')}</td></tr>`)
    .join('');
  const tables = typesOf(roots)
    .map((t) =>
      t.kind === 'dto'
        ? parameterTable(op, t.dto)
        : `<table class="enum"><caption><b>${t.def.name}</b> Enum:</caption><tbody>${t.def.values.map((v) => `<tr><td>${v}</td></tr>`).join('')}</tbody></table>`,
    )
    .join('');
  const route = op.routes[0];
  const verb = VERB_PREFERENCE.find((v) => op.routes.some((r) => r.verbs.includes(v))) ?? 'POST';
  const path = op.routes.find((r) => r.verbs.includes(verb))?.path ?? route?.path ?? `/${format}/reply/${name}`;
  const type = CONTENT_TYPE[format];
  const requestSample =
    verb === 'GET' || verb === 'DELETE'
      ? `${verb} ${path} HTTP/1.1 \nHost: ${host} \nAccept: ${type}`
      : `${verb} ${path} HTTP/1.1 \nHost: ${host} \nAccept: ${type}\nContent-Type: ${type}\nContent-Length: length\n\n${sampleBody(op.request, format)}`;
  const responseSample = op.response
    ? `HTTP/1.1 200 OK\nContent-Type: ${type}\nContent-Length: length\n\n${sampleBody(op.response, format)}`
    : 'HTTP/1.1 204 No Content';
  const jsonp = format === 'json' ? '<p>To embed the response in a <b>jsonp</b> callback, append <b>?callback=myCallback</b></p>' : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${name} ${format.toUpperCase()} metadata</title><style>
body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#1d2733}table{border-collapse:collapse;margin:14px 0}td,th{border:1px solid #dde3ea;padding:4px 8px;text-align:left}
caption{text-align:left;padding:4px 0}pre{background:#f5f7fa;border:1px solid #dde3ea;padding:10px;overflow:auto}</style></head><body>
<a href="/metadata">&lt;back to all web services</a><h2>${name}</h2>${op.description ? `<h3>${escapeHtml(op.description)}</h3>` : ''}
${authenticationTable(op)}<div class="routes"><p>The following routes are available for this service:</p><table>${routes}</table></div>
${tables}
<div class="call-info"><p>To override the Content-type in your clients, use the HTTP <b>Accept</b> Header, append the <b>.${format}</b> suffix or <b>?format=${format}</b></p>${jsonp}
<h4>HTTP + ${format.toUpperCase()}</h4><p>The following are sample HTTP requests and responses. The placeholders shown need to be replaced with actual values.</p>
<div class="request"><pre>${escapeHtml(requestSample)}</pre></div><div class="response"><pre>${escapeHtml(responseSample)}</pre></div></div>
</body></html>`;
}

/** `/metadata`: every operation with links to its pages in each format. */
export function metadataIndex(operations: readonly Operation[]): string {
  const rows = operations
    .map(operationName)
    .sort()
    .map(
      (n) =>
        `<tr><th>${n}</th>${(['xml', 'json', 'csv'] as const).map((f) => `<td><a href="/${f}/metadata?op=${n}">${f.toUpperCase()}</a></td>`).join('')}</tr>`,
    )
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Switchboard metadata</title><style>body{font:14px/1.45 system-ui,sans-serif;margin:24px}td,th{padding:4px 10px;text-align:left}</style></head><body>
<h1>Switchboard</h1><p>The following operations are supported. For a formal definition, see the <a href="/openapi">OpenAPI document</a>.</p>
<table>${rows}</table></body></html>`;
}
