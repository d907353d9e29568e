import { Type, type TSchema, type TObject, type TProperties, type TUnion, type TLiteral } from '@sinclair/typebox';

/**
 * A DTO is declared once: its TypeBox schema (validation, JSON, OpenAPI) plus what the other
 * writers need and JSON Schema cannot say — the .NET name and CLR namespace (XML), the base
 * class whose members come first, and how DataContractSerializer orders members.
 */
export interface DtoMeta {
  /** The .NET type name: the XML element and the metadata page's name. */
  readonly name: string;
  /** CLR namespace, e.g. `Voice.Api.Sessions`; the XML namespace is derived from it. */
  readonly namespace: string;
  /** A [DataContract] namespace that overrides the CLR-derived one (ServiceStack's own types). */
  readonly xmlNamespace?: string;
  readonly base?: Dto;
  /** `alphabetical` for plain POCOs; `declared` for [DataMember(Order)] contracts. */
  readonly memberOrder: 'alphabetical' | 'declared';
  /** The XML root name when it differs from `name` (generic types carry .NET's hash). */
  readonly xmlRootName?: string;
  readonly description?: string;
}

type DtoInit = Omit<DtoMeta, 'memberOrder' | 'base'> & { memberOrder?: DtoMeta['memberOrder'] };

export interface Dto<P extends TProperties = TProperties> {
  readonly meta: DtoMeta;
  /** Every member, base class first: the order JSON and CSV write them in. */
  readonly schema: TObject<P>;
  /** The members this type declares itself (not inherited). */
  readonly ownKeys: readonly string[];
}

export interface EnumDef<V extends string = string> {
  readonly name: string;
  readonly namespace: string;
  readonly values: readonly V[];
  readonly schema: TUnion<TLiteral<V>[]>;
}

const DATA_CONTRACT_NS = 'http://schemas.datacontract.org/2004/07/';

export function xmlNamespaceOf(meta: { namespace: string; xmlNamespace?: string }): string {
  return meta.xmlNamespace ?? DATA_CONTRACT_NS + meta.namespace;
}

/**
 * @example
 * const Breadcrumb = defineDto({ name: 'CustomerBreadcrumb', namespace: 'Voice.Api.Customers' },
 *   { id: Type.Optional(Type.String()), name: Type.Optional(Type.String()) });
 */
export function defineDto<P extends TProperties>(meta: DtoInit, properties: P): Dto<P>;
export function defineDto<B extends TProperties, P extends TProperties>(
  meta: DtoInit & { base: Dto<B> },
  properties: P,
): Dto<B & P>;
export function defineDto(meta: DtoInit & { base?: Dto }, properties: TProperties): Dto {
  const inherited = meta.base?.schema.properties ?? {};
  const schema = Type.Object({ ...inherited, ...properties }, {
    $id: meta.name,
    additionalProperties: false,
    description: meta.description,
  });
  if (DTOS.has(meta.name)) throw new Error(`DTO ${meta.name} declared twice`);
  const dto: Dto = Object.freeze({
    meta: Object.freeze({ memberOrder: 'alphabetical', ...meta } as DtoMeta),
    schema,
    ownKeys: Object.freeze(Object.keys(properties)),
  });
  DTOS.set(meta.name, dto);
  return dto;
}

/**
 * @example
 * const Channels = defineEnum('FlowChannels', 'Voice.Api.Flows', ['Voice', 'Chat', 'Fax']);
 */
export function defineEnum<const V extends string>(
  name: string,
  namespace: string,
  values: readonly V[],
  description?: string,
): EnumDef<V> {
  const schema = Type.Union(
    values.map((v) => Type.Literal(v)),
    { $id: name, description },
  );
  const def: EnumDef<V> = Object.freeze({ name, namespace, values: Object.freeze([...values]), schema });
  ENUMS.set(name, def as unknown as EnumDef);
  return def;
}

/** A string→string map, .NET's `Dictionary<string, string>`. */
export function StringMap(description?: string) {
  return Type.Record(Type.String(), Type.String(), { description });
}

// TypeBox clones schemas (Optional, Array), so DTOs and enums are found again by their `$id`.
const DTOS = new Map<string, Dto>();
const ENUMS = new Map<string, EnumDef>();

export function dtoOf(schema: TSchema): Dto | undefined {
  return typeof schema.$id === 'string' ? DTOS.get(schema.$id) : undefined;
}

export function enumOf(schema: TSchema): EnumDef | undefined {
  return typeof schema.$id === 'string' ? ENUMS.get(schema.$id) : undefined;
}
