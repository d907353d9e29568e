import { Kind, type TSchema } from '@sinclair/typebox';
import { dtoOf, enumOf, type Dto, type EnumDef } from './dto.js';

/** What a member holds, as every writer (XML, CSV, metadata, binding) needs to know it. */
export type MemberType =
  | { readonly kind: 'string' }
  | { readonly kind: 'bool' }
  | { readonly kind: 'int' }
  | { readonly kind: 'enum'; readonly def: EnumDef }
  | { readonly kind: 'dto'; readonly dto: Dto }
  | { readonly kind: 'list'; readonly item: MemberType }
  | { readonly kind: 'dictionary' };

export interface Member {
  /** The camelCase JSON name. */
  readonly key: string;
  /** The .NET property name, used by XML, CSV and the metadata pages. */
  readonly name: string;
  readonly declaredBy: Dto;
  readonly type: MemberType;
  readonly description?: string;
  /**
   * What a .NET value-type member (`int`, not `int?`) holds when nothing was set: it cannot be
   * null, so every writer writes this rather than leaving it out or writing `i:nil`.
   */
  readonly defaultValue?: number | boolean;
}

export const pascalCase = (key: string) => key.charAt(0).toUpperCase() + key.slice(1);

export function memberTypeOf(schema: TSchema): MemberType {
  const enumDef = enumOf(schema);
  if (enumDef) return { kind: 'enum', def: enumDef };
  switch (schema[Kind]) {
    case 'String':
      return { kind: 'string' };
    case 'Boolean':
      return { kind: 'bool' };
    case 'Integer':
    case 'Number':
      return { kind: 'int' };
    case 'Array':
      return { kind: 'list', item: memberTypeOf(schema.items as TSchema) };
    case 'Record':
      return { kind: 'dictionary' };
    case 'Object': {
      const dto = dtoOf(schema);
      if (dto) return { kind: 'dto', dto };
    }
  }
  throw new Error(`No wire mapping for schema ${schema.$id ?? String(schema[Kind])}`);
}

const declaredOrder = new Map<string, readonly Member[]>();
const contractOrder = new Map<string, readonly Member[]>();

function ownMembers(dto: Dto): Member[] {
  return dto.ownKeys.map((key) => {
    const schema = dto.schema.properties[key] as TSchema;
    const defaultValue = typeof schema.default === 'number' || typeof schema.default === 'boolean' ? schema.default : undefined;
    return { key, name: pascalCase(key), declaredBy: dto, type: memberTypeOf(schema), description: schema.description, defaultValue };
  });
}

/** Members in declaration order, base class first: the JSON and CSV order. */
export function membersOf(dto: Dto): readonly Member[] {
  let members = declaredOrder.get(dto.meta.name);
  if (!members) {
    members = Object.freeze([...(dto.meta.base ? membersOf(dto.meta.base) : []), ...ownMembers(dto)]);
    declaredOrder.set(dto.meta.name, members);
  }
  return members;
}

/** Members the way DataContractSerializer orders them: base first, then ordinal by name or by Order. */
export function contractMembersOf(dto: Dto): readonly Member[] {
  let members = contractOrder.get(dto.meta.name);
  if (!members) {
    const own = ownMembers(dto);
    // Ordinal, not locale order: .NET sorts "Zeta" before "aLower".
    if (dto.meta.memberOrder === 'alphabetical') own.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    members = Object.freeze([...(dto.meta.base ? contractMembersOf(dto.meta.base) : []), ...own]);
    contractOrder.set(dto.meta.name, members);
  }
  return members;
}

/** The C# spelling of a member's type, as the metadata pages show it. */
export function clrTypeName(type: MemberType): string {
  switch (type.kind) {
    case 'string':
      return 'string';
    case 'bool':
      return 'bool';
    case 'int':
      return 'int';
    case 'enum':
      return type.def.name;
    case 'dto':
      return type.dto.meta.name;
    case 'list':
      return `List<${clrTypeName(type.item)}>`;
    case 'dictionary':
      return 'Dictionary<string, string>';
  }
}

const lookups = new Map<string, ReadonlyMap<string, Member>>();

/** Members by lower-cased JSON name, built once per DTO: binding is case-insensitive and runs on every request. */
export function memberLookupOf(dto: Dto): ReadonlyMap<string, Member> {
  let lookup = lookups.get(dto.meta.name);
  if (!lookup) {
    lookup = new Map(membersOf(dto).map((m) => [m.key.toLowerCase(), m]));
    lookups.set(dto.meta.name, lookup);
  }
  return lookup;
}
