import type { Dto } from './dto.js';
import { memberLookupOf, type MemberType } from './members.js';

export interface WireProblem {
  /** Dotted path of .NET names, e.g. `Members[0].CallState`. */
  readonly field: string;
  readonly message: string;
}

export type WireResult<T> = { ok: true; value: T } | { ok: false; problems: WireProblem[] };

/**
 * Reads a DTO from parsed JSON the way ServiceStack.Text does: member names match
 * case-insensitively (PascalCase and camelCase bodies both work), nulls and unknown members are
 * dropped, enum names match case-insensitively. Every type mismatch is reported, none thrown.
 *
 * @example
 * fromWire(SessionInfo, { Id: 'a', Ended: 'no' }) // { ok: false, problems: [{ field: 'Ended', … }] }
 */
export function fromWire<T = Record<string, unknown>>(dto: Dto, raw: unknown): WireResult<T> {
  const problems: WireProblem[] = [];
  const value = readDto(dto, raw, '', problems);
  return problems.length ? { ok: false, problems } : { ok: true, value: value as T };
}

function readDto(dto: Dto, raw: unknown, path: string, problems: WireProblem[]): Record<string, unknown> | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    problems.push({ field: path || dto.meta.name, message: `expected an object (${dto.meta.name})` });
    return undefined;
  }
  const lookup = memberLookupOf(dto);
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(raw)) {
    const member = lookup.get(key.toLowerCase());
    if (!member || v === null || v === undefined) continue;
    const field = path ? `${path}.${member.name}` : member.name;
    const read = readValue(member.type, v, field, problems);
    if (read !== undefined) out[member.key] = read;
  }
  return out;
}

function readValue(type: MemberType, v: unknown, field: string, problems: WireProblem[]): unknown {
  switch (type.kind) {
    case 'string':
      if (typeof v === 'string') return v;
      if (typeof v === 'number' || typeof v === 'boolean') return String(v);
      break;
    case 'bool':
      if (typeof v === 'boolean') return v;
      if (v === 'true' || v === 'false') return v === 'true';
      break;
    case 'int':
      if (typeof v === 'number' && Number.isInteger(v)) return v;
      if (typeof v === 'string' && /^-?\d{1,15}$/.test(v)) return Number(v);
      break;
    case 'enum': {
      if (typeof v === 'string') {
        const name = type.def.values.find((n) => n.toLowerCase() === v.toLowerCase());
        if (name) return name;
      }
      // .NET also accepts the enum's integer value.
      if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < type.def.values.length) return type.def.values[v];
      problems.push({ field, message: `'${String(v)}' is not a ${type.def.name} (${type.def.values.join(', ')})` });
      return undefined;
    }
    case 'dto':
      return readDto(type.dto, v, field, problems);
    case 'list':
      if (Array.isArray(v)) {
        return v
          .map((item, i) => (item === null ? undefined : readValue(type.item, item, `${field}[${i}]`, problems)))
          .filter((item) => item !== undefined);
      }
      break;
    case 'dictionary':
      if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
        const out: Record<string, string> = {};
        for (const [k, item] of Object.entries(v)) {
          if (item === null || item === undefined) continue;
          if (typeof item !== 'string') problems.push({ field: `${field}[${k}]`, message: 'expected a string' });
          else out[k] = item;
        }
        return out;
      }
      break;
  }
  problems.push({ field, message: `expected ${describe(type)}` });
  return undefined;
}

function describe(type: MemberType): string {
  switch (type.kind) {
    case 'bool':
      return 'true or false';
    case 'int':
      return 'an integer';
    case 'list':
      return 'a list';
    case 'dictionary':
      return 'an object of strings';
    default:
      return `a ${type.kind}`;
  }
}
