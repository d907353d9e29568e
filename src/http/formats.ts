/** The formats Switchboard writes, each with its ServiceStack Content-Type (servicestack-wire.md §1.3). */
export const FORMATS = ['json', 'xml', 'csv', 'html'] as const;
export type Format = (typeof FORMATS)[number];

export const CONTENT_TYPES: Readonly<Record<Format, string>> = Object.freeze({
  json: 'application/json; charset=utf-8',
  xml: 'application/xml',
  csv: 'text/csv',
  html: 'text/html; charset=utf-8',
});

export const isFormat = (s: string): s is Format => (FORMATS as readonly string[]).includes(s);
