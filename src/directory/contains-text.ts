import { sql, type RawBuilder, type SqlBool } from 'kysely';

/**
 * `column` contains `text`, case-insensitively and the same on both stores (PostgreSQL's LIKE is
 * case-sensitive, SQLite's is not): `lower(column) LIKE '%text%'` with `%`, `_` and `\` in the
 * text matched literally, so a name filter of `50%` finds "50% off" and nothing else.
 */
export function containsText(column: string, text: string): RawBuilder<SqlBool> {
  const pattern = '%' + text.toLowerCase().replace(/[\\%_]/g, (c) => '\\' + c) + '%';
  return sql<SqlBool>`lower(${sql.ref(column)}) LIKE ${pattern} ESCAPE '\\'`;
}
