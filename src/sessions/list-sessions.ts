import { Type, type Static } from '@sinclair/typebox';
import { defineDto } from '../model/dto.js';
import { listResponseOf } from '../model/list-response.js';
import { ListRequest, type ListRequestInput } from '../model/list-request.js';
import { SessionInfo } from '../model/session-info.js';
import { validationError } from '../http/errors.js';
import type { Operation } from '../http/operation.js';
import { StoredBody } from '../http/stored-body.js';
import { accountScope, signedIn } from '../directory/tenancy.js';
import { pageWindow, tooManyForAll, ALL_HARD_CAP, type PageTotals } from './list-paging.js';
import { SORT_COLUMNS, type SessionQuery, type SessionSort, type SortField } from './list-query.js';
import type { ReadsOf } from './session-reads.js';
import { withDocuments } from './stored-documents.js';

const list = (description: string) => Type.Optional(Type.Array(Type.String(), { description }));
const text = (description: string) => Type.Optional(Type.String({ description }));

export const ListSessions = defineDto(
  { name: 'ListSessions', namespace: 'Voice.Api.Sessions', base: ListRequest, description: 'Lists sessions' },
  {
    accountIds: list('The accounts to search (default: every account you may see)'),
    searchArchive: Type.Optional(Type.Boolean({ description: 'Also search archived sessions' })),
    startDate: text('Sessions created on or after this day (YYYY-MM-DD, UTC)'),
    endDate: text('Sessions created on or before this day (YYYY-MM-DD, UTC)'),
    customerIds: list('Sessions of these customers or their descendants'),
    endpointIds: list('Sessions of these endpoints'),
    from: text('The from address contains this text'),
    to: text('The to address contains this text'),
    log: text('The log contains this text (case-insensitive; any length)'),
    parentSessionId: text('Children of this session'),
  },
);

export const SessionList = listResponseOf(SessionInfo);

export type ListSessionsInput = Static<typeof ListSessions.schema>;

const DAY_MS = 86_400_000;

/** `YYYY-MM-DD` → midnight UTC of that day, or a 400 naming the member. */
function dayStart(member: string, value: string): number {
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(value) ? Date.parse(value + 'T00:00:00Z') : NaN;
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== value) {
    throw validationError(member, 'Predicate', `'${member.replace(/([a-z])([A-Z])/g, '$1 $2')}' must be a day as YYYY-MM-DD, got '${value.slice(0, 40)}'.`);
  }
  return ms;
}

function sortOf(input: ListRequestInput): SessionSort {
  const requested = input.sortField ?? 'dateCreated';
  const field = (Object.keys(SORT_COLUMNS) as SortField[]).find((f) => f.toLowerCase() === requested.toLowerCase());
  if (!field) {
    throw validationError('SortField', 'Predicate', `'Sort Field' must be one of ${Object.keys(SORT_COLUMNS).join(', ')}; got '${requested.slice(0, 40)}'.`);
  }
  // Newest first is what people scanning calls want; names and ids read best A→Z.
  const order = input.sortOrder ?? (field.startsWith('date') ? 'Descend' : 'Ascend');
  return { field, order };
}

/** The SessionQuery a ListSessions request asks for, validated; the customer tree is expanded later. */
export function sessionQueryOf(input: ListSessionsInput, accountIds: readonly string[] | 'all'): SessionQuery {
  const start = input.startDate === undefined ? undefined : dayStart('StartDate', input.startDate);
  const end = input.endDate === undefined ? undefined : dayStart('EndDate', input.endDate);
  if (start !== undefined && end !== undefined && end < start) {
    throw validationError('EndDate', 'GreaterThanOrEqual', "'End Date' must be on or after 'Start Date'.");
  }
  return {
    accountIds,
    endpointIds: input.endpointIds,
    createdFrom: start === undefined ? undefined : new Date(start).toISOString(),
    createdBefore: end === undefined ? undefined : new Date(end + DAY_MS).toISOString(),
    from: input.from,
    to: input.to,
    log: input.log,
    parentSessionId: input.parentSessionId,
    specificIds: input.specificIds,
    searchArchive: input.searchArchive === true,
  };
}

/** A ListResponse whose items are the stored documents. */
export const listBody = (documents: readonly string[], totals: PageTotals): StoredBody =>
  withDocuments(SessionList, 'items', documents, { ...totals });

export interface ListSessionsOptions {
  readonly allHardCap?: number;
}

/**
 * GET /sessions: every filter of the contract, ListRequest paging, and tenant scoping — a caller
 * only ever sees sessions of accounts it may see, whatever the filters say. The request is
 * validated here; its queries run where `readsOf` runs reads, in the caller's turn.
 */
export function listSessionsOperation(readsOf: ReadsOf, options: ListSessionsOptions = {}): Operation<typeof ListSessions> {
  const { allHardCap = ALL_HARD_CAP } = options;
  return {
    request: ListSessions,
    response: SessionList,
    routes: [{ path: '/sessions', verbs: ['GET'] }],
    description: 'Lists sessions, newest first, with the log of each',
    async handle(input, context) {
      const window = pageWindow(input);
      const sort = sortOf(input);
      const scope = accountScope(signedIn(context.caller), input.accountIds);
      const query = sessionQueryOf(input, scope);
      const read = await readsOf(context.caller).listPage({ query, customerIds: input.customerIds, sort, window, allHardCap });
      if ('tooMany' in read) throw tooManyForAll(read.count, allHardCap);
      return listBody(read.documents, read.totals);
    },
  };
}
