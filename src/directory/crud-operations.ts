import { Type, type TProperties } from '@sinclair/typebox';
import { defineDto, type Dto } from '../model/dto.js';
import { ListRequest as ListRequestBase } from '../model/list-request.js';
import { listResponseOf } from '../model/list-response.js';
import { validationError } from '../http/errors.js';
import type { Access, Caller, Operation } from '../http/operation.js';
import { listResponse, pageOf, type ListInput, type Page, type Paged } from './list-paging.js';
import { mayUse, notVisible } from './tenancy.js';
import { assertTextInput } from './text-input.js';

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
  readonly listFilters: TProperties;
  readonly newFields: TProperties;
  readonly patchFields: TProperties;
  readonly access: { readonly read: Access; readonly create: Access; readonly update: Access; readonly delete: Access };
  find(id: string): Promise<R | undefined>;
  /** The accounts a record belongs to: the caller must share one to read it, all to change it. */
  accountsOf(record: R): readonly string[];
  list(input: Input, caller: Caller, page: Page): Promise<Paged<R>>;
  create(input: Input, caller: Caller, now: Date): Promise<R>;
  update(record: R, input: Input, caller: Caller, now: Date): Promise<R>;
  remove(record: R, caller: Caller): Promise<void>;
  infoOf(record: R): Promise<Record<string, unknown>> | Record<string, unknown>;
}

// Operations are built per app (tests build many); their DTOs are declared once per process.
const requestDtos = new Map<string, Dto>();

const idMember = (noun: string, key: string) => ({ [key]: Type.Optional(Type.String({ description: `The ID of the ${noun.toLowerCase()}` })) });

/** List, New, Get, Patch and Delete operations for a resource. */
export function crudOperations<R extends { id: string }>(spec: ResourceSpec<R>, now: () => Date): Operation<Input>[] {
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
    const record = await spec.find(id);
    const accounts = record ? spec.accountsOf(record) : [];
    const allowed =
      caller.accountIds === 'all' ||
      (accounts.length > 0 && (toChange ? accounts.every((a) => mayUse(caller, a)) : accounts.some((a) => mayUse(caller, a))));
    if (!record || !allowed) throw notVisible(caller, noun, id);
    return record;
  };

  const operations: Operation<Input>[] = [
    {
      request: ListRequest,
      response: listResponseOf(info),
      routes: [{ path, verbs: ['GET'] }],
      access: spec.access.read,
      async handle(input, { caller }) {
        const page = pageOf(input);
        const paged = await spec.list(input, caller!, page);
        const items = await Promise.all(paged.items.map((r) => spec.infoOf(r)));
        return listResponse(input, page, { items, total: paged.total });
      },
    },
    {
      request: NewRequest,
      response: info,
      routes: [{ path, verbs: ['POST'] }],
      access: spec.access.create,
      handle: async (input, { caller }) => spec.infoOf(await spec.create(input, caller!, now())),
    },
    {
      request: GetRequest,
      response: info,
      routes: [{ path: item, verbs: ['GET'] }],
      access: spec.access.read,
      handle: async (input, { caller }) => spec.infoOf(await visible(input, caller!, false)),
    },
    {
      request: PatchRequest,
      response: info,
      routes: [{ path: item, verbs: ['PATCH'] }],
      access: spec.access.update,
      handle: async (input, { caller }) => spec.infoOf(await spec.update(await visible(input, caller!, true), input, caller!, now())),
    },
    {
      request: DeleteRequest,
      routes: [{ path: item, verbs: ['DELETE'] }],
      access: spec.access.delete,
      async handle(input, { caller }) {
        await spec.remove(await visible(input, caller!, true), caller!);
        return undefined;
      },
    },
  ];
  // Every text member is checked before any handler reads it.
  return operations.map((op) => ({
    ...op,
    handle: (input, context) => {
      assertTextInput(input);
      return op.handle(input, context);
    },
  }));
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
