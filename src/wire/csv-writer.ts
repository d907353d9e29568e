import type { Dto } from '../model/dto.js';
import { membersOf, type MemberType } from '../model/members.js';
import { writeJsv } from './jsv-writer.js';

/**
 * CSV as ServiceStack's CsvFormat writes it: a header of .NET member names, then one row per item.
 * A response whose only collection is its items (ListResponse) is written as those items, one row
 * each; any other DTO is one row. Nested values are JSV inside the cell.
 *
 * @example
 * writeCsv(SessionInfo, session) // 'Id,DateCreated,…\r\n6571f0c2…,2026-11-27T14:03:11Z,…\r\n'
 */
export function writeCsv(dto: Dto, value: Record<string, unknown>): string {
  const members = membersOf(dto);
  const lists = members.filter((m) => m.type.kind === 'list');
  const [only] = lists;
  if (lists.length === 1 && only && only.type.kind === 'list' && only.type.item.kind === 'dto') {
    return rows(only.type.item.dto, (value[only.key] as Record<string, unknown>[] | undefined) ?? []);
  }
  return rows(dto, [value]);
}

function rows(dto: Dto, items: readonly Record<string, unknown>[]): string {
  const members = membersOf(dto);
  const lines = [members.map((m) => csvCell(m.name)).join(',')];
  for (const item of items) lines.push(members.map((m) => csvCell(cellText(m.type, item[m.key]))).join(','));
  return lines.join('\r\n') + '\r\n';
}

function cellText(type: MemberType, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (type.kind === 'string' || type.kind === 'enum' || type.kind === 'int') return String(value);
  return writeJsv(type, value);
}

/**
 * RFC 4180: quote a cell holding a comma, quote or line break; double its quotes. A cell a
 * spreadsheet would run as a formula (starting with = + - @, tab or CR: a caller id or log line
 * anyone can choose) gets a leading `'`, as OWASP's CSV injection advice says; a plain number
 * (`+15035551234`, `-42`) is left as it is, since no number is a formula.
 */
function csvCell(text: string): string {
  const safe = FORMULA_START.test(text) && !PLAIN_NUMBER.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^[+-]?\d+(\.\d+)?$/;
