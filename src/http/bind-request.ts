import type { Dto } from '../model/dto.js';
import { fromWire, type WireResult } from '../model/from-wire.js';
import { fromXml } from '../model/from-xml.js';
import { parseXml, XmlSyntaxError, type XmlElement } from '../wire/xml-reader.js';
import { memberLookupOf, type Member, type MemberType } from '../model/members.js';
import type { ResponseError } from '../model/response-status.js';
import { ApiError } from './errors.js';

export type StringMap = Readonly<Record<string, string | string[] | undefined>>;

/**
 * Fills a request DTO from strings (path, query string, form), ServiceStack's way (servicestack-wire.md
 * §2.4): names case-insensitive, empty values skipped, values read as JSV (`a,b` and `[a,b]` lists,
 * `true,false` → true), a repeated key joined with commas. Later maps win over earlier ones.
 */
export function bindStrings(dto: Dto, target: Record<string, unknown>, ...maps: (StringMap | undefined)[]): Record<string, unknown> {
  const lookup = memberLookupOf(dto);
  const errors: ResponseError[] = [];
  for (const map of maps) {
    for (const [key, raw] of Object.entries(map ?? {})) {
      const member = lookup.get(key.toLowerCase());
      const text = Array.isArray(raw) ? raw.join(',') : raw;
      if (!member || text === undefined || text === '') continue;
      const value = parseJsv(member.type, text);
      if (value === undefined) errors.push(bindError(member, text));
      else target[member.key] = value;
    }
  }
  if (errors.length) throw new ApiError('SerializationException', `Unable to bind to request '${dto.meta.name}'`, errors);
  return target;
}

export type BodyFormat = 'json' | 'xml';

/** Reads a JSON body into the DTO (names case-insensitive, as ServiceStack.Text reads). */
export function bindBody(dto: Dto, body: unknown): Record<string, unknown> {
  if (body === undefined || body === null || body === '') return {};
  return bound(dto, fromWire(dto, body));
}

/** Reads a request DTO as .NET's DataContractSerializer writes it (servicestack-wire.md §5). */
export function bindXmlBody(dto: Dto, xml: string): Record<string, unknown> {
  let root: XmlElement;
  try {
    root = parseXml(xml);
  } catch (error) {
    if (!(error instanceof XmlSyntaxError)) throw error;
    throw new ApiError('BadRequest', `The request body is not valid XML: ${error.message}`);
  }
  return bound(dto, fromXml(dto, root));
}

/** A binding's result, or the SerializationException naming every problem. */
export function bound(dto: Dto, result: WireResult<Record<string, unknown>>): Record<string, unknown> {
  if (result.ok) return result.value;
  throw new ApiError(
    'SerializationException',
    `Unable to bind to request '${dto.meta.name}'`,
    result.problems.map((p) => ({ errorCode: 'SerializationException', fieldName: p.field, message: p.message })),
  );
}

function bindError(member: Member, text: string): ResponseError {
  const shown = text.length > 100 ? text.slice(0, 100) + '…' : text;
  return { errorCode: 'SerializationException', fieldName: member.name, message: `'${shown}' is an Invalid value for '${member.name}'` };
}

function parseJsv(type: MemberType, text: string): unknown {
  switch (type.kind) {
    case 'string':
      return text;
    case 'bool': {
      // An MVC checkbox posts `true,false`: the part before the first comma counts.
      const first = text.split(',')[0]!.toLowerCase();
      return first === 'true' ? true : first === 'false' ? false : undefined;
    }
    case 'int':
      return /^-?\d{1,15}$/.test(text) ? Number(text) : undefined;
    case 'enum':
      return type.def.values.find((v) => v.toLowerCase() === text.toLowerCase()) ??
        (/^\d+$/.test(text) ? type.def.values[Number(text)] : undefined);
    case 'list': {
      const inner = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
      const items = inner === '' ? [] : inner.split(',').map((item) => parseJsv(type.item, item.trim()));
      return items.includes(undefined) ? undefined : items;
    }
    case 'dto': {
      // Nested objects arrive as JSON here; full JSV object syntax is not supported.
      const parsed = parseJsonOrUndefined(text);
      const result = parsed === undefined ? undefined : fromWire(type.dto, parsed);
      return result?.ok ? result.value : undefined;
    }
    case 'dictionary': {
      const parsed = parseJsonOrUndefined(text);
      const isStringMap =
        typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) &&
        Object.values(parsed).every((v) => typeof v === 'string');
      return isStringMap ? parsed : undefined;
    }
  }
}

function parseJsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
