import fastJson from 'fast-json-stringify';
import type { Dto } from '../model/dto.js';

type Stringify = (value: unknown) => string;
const compiled = new Map<string, Stringify>();

/**
 * JSON as ServiceStack writes it on .NET Core: camelCase members in declaration order (base class
 * first), nulls left out, `false`/`""`/`[]`/`{}` kept, enums by name. Compiled once per DTO from
 * its schema, so unknown members never leak into a response.
 *
 * @example
 * writeJson(SessionInfo, { id: 'a', ended: false }) // '{"id":"a","ended":false}'
 */
export function writeJson(dto: Dto, value: unknown): string {
  let stringify = compiled.get(dto.meta.name);
  if (!stringify) {
    stringify = fastJson(dto.schema as object) as Stringify;
    compiled.set(dto.meta.name, stringify);
  }
  return stringify(value);
}
