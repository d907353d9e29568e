import type { Dto } from '../../model/dto.js';
import { membersOf, type MemberType } from '../../model/members.js';
import { escapeHtml } from './escape.js';

/** Any DTO as a table of its members; nested DTOs and lists as nested tables. */
export function dtoTable(dto: Dto, value: Record<string, unknown>): string {
  const rows = membersOf(dto)
    .filter((m) => value[m.key] !== undefined && value[m.key] !== null)
    .map((m) => `<tr><th>${escapeHtml(m.name)}</th><td>${valueHtml(m.type, value[m.key])}</td></tr>`);
  return `<table>${rows.join('')}</table>`;
}

function valueHtml(type: MemberType, value: unknown): string {
  switch (type.kind) {
    case 'dto':
      return dtoTable(type.dto, value as Record<string, unknown>);
    case 'list': {
      const items = value as unknown[];
      if (!items.length) return '<span class="muted">none</span>';
      return items.map((item) => valueHtml(type.item, item)).join('');
    }
    case 'dictionary': {
      const entries = Object.entries(value as Record<string, string>);
      if (!entries.length) return '<span class="muted">none</span>';
      return `<table>${entries.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('')}</table>`;
    }
    default:
      return escapeHtml(value);
  }
}
