import { Type, type TProperties } from '@sinclair/typebox';
import { defineDto, type Dto } from './dto.js';

/**
 * .NET writes generic contracts as `ListResponseOf{T}{hash}`; the hash is derived from the generic
 * arguments' namespaces, so it is recorded per item type (as Mono's DataContractSerializer writes
 * `ListResponse<T>` in `Voice.Api`) rather than recomputed. test/wire/dotnet-xml.test.ts has .NET
 * read every list response, so a wrong or missing hash fails there.
 */
// MessageInfo's hash is mono's DataContractSerializer output for ListResponse<MessageInfo>, which
// gives SessionInfo's known BWxtuWQa too.
const GENERIC_HASH: Record<string, string> = {
  SessionInfo: 'BWxtuWQa',
  AccountInfo: 'LIonMsk5',
  CustomerInfo: 'znfKbIMc',
  EndpointInfo: 'WeVlXEog',
  UserInfo: 'YIwdqeDL',
  MessageInfo: 'CeNIv4MU',
};

const cache = new Map<string, Dto>();

/** `ListResponse<T>` (namespace Voice.Api): `{items, totalCount, totalPages, hasMorePages}`. */
export function listResponseOf<P extends TProperties>(item: Dto<P>) {
  const name = `ListResponseOf${item.meta.name}`;
  const existing = cache.get(name);
  if (existing) return existing as ReturnType<typeof build<P>>;
  const dto = build(item, name);
  cache.set(name, dto);
  return dto;
}

function build<P extends TProperties>(item: Dto<P>, name: string) {
  return defineDto(
    {
      name,
      namespace: 'Voice.Api',
      xmlRootName: name + (GENERIC_HASH[item.meta.name] ?? ''),
      description: `A page of ${item.meta.name}`,
    },
    {
      items: Type.Array(item.schema, { description: 'The items on this page' }),
      // .NET `int`s: with simplifiedPaging nothing is counted and they are 0, as ServiceStack writes
      // an unset int in JSON and XML; `i:nil` would make .NET's DataContractSerializer throw.
      totalCount: Type.Optional(Type.Integer({ description: 'How many items match, on every page (0 with simplifiedPaging)', default: 0 })),
      totalPages: Type.Optional(Type.Integer({ description: 'How many pages there are (0 with simplifiedPaging)', default: 0 })),
      // Optional in the schema only so that the JSON writer keeps .NET's member order (it writes
      // required members first); every response sets it.
      hasMorePages: Type.Optional(Type.Boolean({ description: 'Whether a page follows this one' })),
    },
  );
}
