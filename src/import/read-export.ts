/** The shapes `switchboard import` reads. */
export type ExportShape = 'SessionInfo' | 'array' | 'ListResponse' | 'JSON Lines';

export interface ExportRecords {
  readonly shape: ExportShape;
  /** The records, in file order; for JSON Lines, only the lines that are JSON. */
  readonly records: readonly unknown[];
  /** For JSON Lines, the line (from 1) each record came from. */
  readonly lines?: readonly number[];
  /** JSON Lines' lines that are not JSON: each a rejected record. */
  readonly unreadable: readonly { readonly line: number; readonly reason: string }[];
}

export class NotAnExport extends Error {}

const keyOf = (value: object, name: string) => Object.keys(value).find((k) => k.toLowerCase() === name);

/**
 * What an export file holds: a SessionInfo as `GET /sessions/{id}` answers it, an array of them, a
 * ListResponse (`items`/`Items`) as `GET /sessions` answers it, or JSON Lines (one SessionInfo a
 * line; blank lines skipped, a line that is not JSON rejected on its own). Throws `NotAnExport`
 * (a SyntaxError for text that is no JSON at all) for anything else.
 *
 * @example
 * readExport('{"id":"abc","accountId":"acct_1"}') // { shape: 'SessionInfo', records: [{ id: 'abc', … }], unreadable: [] }
 */
export function readExport(text: string): ExportRecords {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    const lines = jsonLines(text);
    if (lines) return lines;
    throw error;
  }
  if (Array.isArray(parsed)) return { shape: 'array', records: parsed, unreadable: [] };
  if (typeof parsed === 'object' && parsed !== null) {
    const items = keyOf(parsed, 'items');
    if (items !== undefined && Array.isArray((parsed as Record<string, unknown>)[items])) {
      return { shape: 'ListResponse', records: (parsed as Record<string, unknown[]>)[items]!, unreadable: [] };
    }
    if (keyOf(parsed, 'id') !== undefined) return { shape: 'SessionInfo', records: [parsed], unreadable: [] };
  }
  throw new NotAnExport('expected a SessionInfo ({"id": …}), an array of them, a ListResponse ({"items": […]}) or JSON Lines (one SessionInfo a line)');
}

/** JSON Lines, when the first non-blank line is a JSON object on its own; otherwise undefined. */
function jsonLines(text: string): ExportRecords | undefined {
  const records: unknown[] = [];
  const lines: number[] = [];
  const unreadable: { line: number; reason: string }[] = [];
  for (const [i, line] of text.split(/\r?\n/).entries()) {
    if (!line.trim()) continue;
    try {
      const value: unknown = JSON.parse(line);
      if (!records.length && !unreadable.length && (typeof value !== 'object' || value === null || Array.isArray(value))) return undefined;
      records.push(value);
      lines.push(i + 1);
    } catch (error) {
      if (!records.length) return undefined;
      unreadable.push({ line: i + 1, reason: `not JSON: ${(error as Error).message}` });
    }
  }
  return records.length ? { shape: 'JSON Lines', records, lines, unreadable } : undefined;
}

/** How the import says what it read: `one SessionInfo`, `an array of 3 sessions`, `JSON Lines, 4 lines`. */
export function describeExport(read: ExportRecords): string {
  const n = read.records.length;
  switch (read.shape) {
    case 'SessionInfo':
      return 'one SessionInfo';
    case 'array':
      return `an array of ${n} sessions`;
    case 'ListResponse':
      return `a ListResponse of ${n} sessions`;
    case 'JSON Lines':
      return `JSON Lines, ${n + read.unreadable.length} lines`;
  }
}
