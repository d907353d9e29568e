import { Type, type TProperties } from '@sinclair/typebox';
import { defineDto, type Dto } from '../model/dto.js';
import { ListRequest as ListRequestBase } from '../model/list-request.js';
import { listResponseOf } from '../model/list-response.js';
import { spaced, validationError } from '../http/errors.js';
import { pascalCase } from '../model/members.js';
import type { Access, Caller, Operation } from '../http/operation.js';
import { listResponse, pageOf, type ListInput, type Page, type Paged } from './list-paging.js';
import { visibleRecord } from './tenancy.js';
import { assertTextInput } from './text-input.js';

/**
 * What a resource's operations receive. Their request DTOs are assembled at run time from the
 * spec's members, so their static type is only a record; the list request's paging members are
 * typed from ListRequest's schema (`ListInput`), the base every list request extends.
 */
type Input = Record<string, unknown> & ListInput;

/**
 * One directory resource (accounts, customers, endpoints, users) in Evo Voice's shape: the five
 * operations are derived from this, so every resource enforces the tenant wall the same way.
 */
export interface ResourceSpec<R extends { id: string }> {
  readonly noun: string;
  readonly plural: string;
  /** `/customers`; items live at `/customers/{customerId}`. */
  readonly path: string;
  readonly idKey: string;
  readonly namespace: string;
  readonly info: Dto;
  /** The list request's own members, in Evo Voice's order: every one is applied or in `refusedFilters`. */
  readonly listFilters: TProperties;
  /**
   * Filters of Evo Voice's DTO that Switchboard holds no data for (flows, tags…): declared, so
   * clients and the metadata pages see Evo's DTO, and refused with a 400 naming them when sent,
   * because a list that silently ignored a filter would answer as if everything matched.
   */
  readonly refusedFilters?: Readonly<Record<string, string>>;
  /** Switchboard's former names of filters, refused with a 400 naming Evo's name. */
  readonly renamedFilters?: Readonly<Record<string, string>>;
  /** What `sortField` may name; the first is the default. */
  readonly sortFields: readonly [string, ...string[]];
  readonly newFields: TProperties;
  readonly patchFields: TProperties;
  readonly access: { readonly read: Access; readonly create: Access; readonly update: Access; readonly delete: Access };
  find(id: string): Promise<R | undefined>;
  /** The accounts a record belongs to: the caller must share one to read it, all to change it. */
  accountsOf(record: R): readonly string[];
  list(input: Input, caller: Caller, page: Page): Promise<Paged<R>>;
  /** More operations of the resource (Evo Voice's typed create routes), wrapped like the five. */
  readonly extraOperations?: readonly Operation[];
  create(input: Input, caller: Caller, now: Date): Promise<R>;
  update(record: R, input: Input, caller: Caller, now: Date): Promise<R>;
  remove(record: R, caller: Caller): Promise<void>;
  /** The record as the caller may see it (a person shared with another account shows only the caller's). */
  infoOf(record: R, caller: Caller): Promise<Record<string, unknown>> | Record<string, unknown>;
}

// Operations are built per app (tests build many); their DTOs are declared once per process.
const requestDtos = new Map<string, Dto>();

const idMember = (noun: string, key: string) => ({ [key]: Type.Optional(Type.String({ description: `The ID of the ${noun.toLowerCase()}` })) });

/** List, New, Get, Patch and Delete operations for a resource. */
export function crudOperations<R extends { id: string }>(spec: ResourceSpec<R>, now: () => Date): Operation[] {
  const { noun, plural, path, idKey, namespace, info } = spec;
  const item = `${path}/{${idKey}}`;
  const dto = (name: string, description: string, members: TProperties, base?: Dto) => {
    let found = requestDtos.get(name);
    if (!found) {
      found = base ? defineDto({ name, namespace, description, base }, members) : defineDto({ name, namespace, description }, members);
      requestDtos.set(name, found);
    }
    return found;
  };
  // As in .NET, `List{Plural} : ListRequest<T>`: paging and sorting come from the one ListRequest.
  const ListRequest = dto(`List${plural}`, `Lists ${plural.toLowerCase()}`, spec.listFilters, ListRequestBase);
  const NewRequest = dto(`New${noun}`, `Creates a ${noun.toLowerCase()}`, spec.newFields);
  const GetRequest = dto(`Get${noun}`, `Gets the specified ${noun.toLowerCase()}`, idMember(noun, idKey));
  const PatchRequest = dto(`Patch${noun}`, `Updates the specified ${noun.toLowerCase()}; only the fields sent change`, { ...idMember(noun, idKey), ...spec.patchFields });
  const DeleteRequest = dto(`Delete${noun}`, `Deletes the specified ${noun.toLowerCase()}`, idMember(noun, idKey));

  /** The record, if the caller shares one of its accounts (or must share all of them, to change it). */
  const visible = async (input: Input, caller: Caller, toChange: boolean): Promise<R> => {
    const id = input[idKey];
    if (typeof id !== 'string' || !id) throw validationError(idKey.charAt(0).toUpperCase() + idKey.slice(1), 'NotEmpty', `'${noun} Id' must not be empty.`);
    return visibleRecord(caller, noun, id, await spec.find(id), (record) => spec.accountsOf(record), toChange);
  };

  const operations: Operation[] = [
    {
      request: ListRequest,
      response: listResponseOf(info),
      routes: [{ path, verbs: ['GET'] }],
      access: spec.access.read,
      async handle(input: Input, { caller, http }) {
        assertFiltersApplied(spec, input, [...keysOf(http.query), ...keysOf(http.body)]);
        const page = pageOf(input, spec.sortFields);
        const paged = await spec.list(input, caller!, page);
        const items = await Promise.all(paged.items.map((r) => spec.infoOf(r, caller!)));
        return listResponse(input, page, { items, total: paged.total });
      },
    },
    {
      request: NewRequest,
      response: info,
      routes: [{ path, verbs: ['POST'] }],
      access: spec.access.create,
      handle: async (input: Input, { caller }) => spec.infoOf(await spec.create(input, caller!, now()), caller!),
    },
    {
      request: GetRequest,
      response: info,
      routes: [{ path: item, verbs: ['GET'] }],
      access: spec.access.read,
      handle: async (input: Input, { caller }) => spec.infoOf(await visible(input, caller!, false), caller!),
    },
    {
      request: PatchRequest,
      response: info,
      routes: [{ path: item, verbs: ['PATCH'] }],
      access: spec.access.update,
      handle: async (input: Input, { caller }) => spec.infoOf(await spec.update(await visible(input, caller!, true), input, caller!, now()), caller!),
    },
    {
      request: DeleteRequest,
      routes: [{ path: item, verbs: ['DELETE'] }],
      access: spec.access.delete,
      async handle(input: Input, { caller }) {
        await spec.remove(await visible(input, caller!, true), caller!);
        return undefined;
      },
    },
  ];
  // Every text member is checked before any handler reads it.
  return [...operations, ...(spec.extraOperations ?? [])].map((op) => ({
    ...op,
    handle: (input, context) => {
      assertTextInput(input);
      return op.handle(input, context);
    },
  }));
}

/**
 * Refuses a list request that names a filter Switchboard does not apply: one of Evo's it has no
 * data for, or a former Switchboard name. Other unknown query parameters are ignored, as
 * ServiceStack ignores names that are not members of the DTO (cache busters such as `_=`, `format`).
 */
function assertFiltersApplied(
  spec: { readonly plural: string; readonly refusedFilters?: Readonly<Record<string, string>>; readonly renamedFilters?: Readonly<Record<string, string>> },
  input: Input,
  sentKeys: readonly string[],
): void {
  refuseMembers(input, spec.refusedFilters ?? {});
  const sent = sentKeys.map((k) => k.toLowerCase());
  for (const [former, evo] of Object.entries(spec.renamedFilters ?? {})) {
    if (!sent.includes(former.toLowerCase())) continue;
    throw validationError(pascalCase(former), 'NotSupported', `'${former}' is not a filter of List${spec.plural}; the filter is '${evo}'.`);
  }
}

/** The names a query string or a JSON body (object or unparsed text) sent; none for anything else. */
function keysOf(value: unknown): string[] {
  if (typeof value === 'string' && value.trimStart().startsWith('{')) {
    try {
      return keysOf(JSON.parse(value));
    } catch {
      return [];
    }
  }
  return value && typeof value === 'object' && !Array.isArray(value) ? Object.keys(value) : [];
}

/**
 * A 400 naming the first member of `refused` the request sent (an empty list counts as not sent):
 * members of Evo Voice's DTOs that Switchboard holds no data for, each with the reason.
 */
export function refuseMembers(input: Record<string, unknown>, refused: Readonly<Record<string, string>>): void {
  for (const [key, why] of Object.entries(refused)) {
    const value = input[key];
    if (value === undefined || (Array.isArray(value) && value.length === 0)) continue;
    const name = pascalCase(key);
    throw validationError(name, 'NotSupported', `'${spaced(name)}' is not supported: ${why}. Send the request without it.`);
  }
}

/** A required text field of a New request: 400 with FluentValidation's message when blank. */
export function required(input: Input, key: string, label: string): string {
  const value = input[key];
  if (typeof value !== 'string' || !value.trim()) throw validationError(key.charAt(0).toUpperCase() + key.slice(1), 'NotEmpty', `'${label}' must not be empty.`);
  return value.trim();
}

/** An optional text field, trimmed; undefined when absent. */
export const optional = (input: Input, key: string): string | undefined => {
  const value = input[key];
  return typeof value === 'string' ? value.trim() : undefined;
};
