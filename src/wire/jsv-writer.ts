import type { Dto } from '../model/dto.js';
import { membersOf, type MemberType } from '../model/members.js';

/**
 * ServiceStack's JSV text, used for nested values inside CSV cells: `{Id:a,Name:b}`, `[x,y]`,
 * strings quoted only when they hold a JSV delimiter.
 */
export function writeJsv(type: MemberType, value: unknown): string {
  if (value === undefined || value === null) return '';
  switch (type.kind) {
    case 'list':
      return '[' + (value as unknown[]).map((item) => writeJsv(type.item, item)).join(',') + ']';
    case 'dictionary':
      return '{' + Object.entries(value as Record<string, string>).map(([k, v]) => `${jsvString(k)}:${jsvString(v)}`).join(',') + '}';
    case 'dto':
      return writeJsvObject(type.dto, value as Record<string, unknown>);
    case 'bool':
      return value === true ? 'true' : 'false';
    default:
      return jsvString(String(value));
  }
}

function writeJsvObject(dto: Dto, value: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const member of membersOf(dto)) {
    const v = value[member.key];
    if (v !== undefined && v !== null) parts.push(`${member.name}:${writeJsv(member.type, v)}`);
  }
  return '{' + parts.join(',') + '}';
}

const JSV_DELIMITERS = /[,"{}[\]\r\n\t ]/;

function jsvString(s: string): string {
  return s === '' || !JSV_DELIMITERS.test(s) ? s : `"${s.replace(/"/g, '""')}"`;
}
