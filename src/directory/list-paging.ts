import { validationError } from '../http/errors.js';
import type { ListRequestInput } from '../model/list-request.js';

export type ListInput = Readonly<ListRequestInput>;

export interface Page<S extends string = string> {
  readonly offset: number;
  readonly limit: number;
  /** The member to sort by, one of the resource's sort fields (ties broken by id). */
  readonly sortBy: S;
  readonly descending: boolean;
}

export interface Paged<T> {
  readonly items: readonly T[];
  readonly total: number;
}

const DEFAULT_COUNT = 25;
/** `all=true` still stops somewhere: a directory of more than this is paged. */
const MAX_COUNT = 10_000;

/**
 * The rows a ListRequest asks for, sorted by `sortField` (case-insensitive, one of `sortFields`;
 * the first is the default). Negative pages and counts, and a field not in the list, are a 400:
 * a sort that was asked for and not applied would page through the wrong order.
 */
export function pageOf<S extends string>(input: ListInput, sortFields: readonly [S, ...S[]]): Page<S> {
  const requested = input.sortField ?? sortFields[0];
  const sortBy = sortFields.find((f) => f.toLowerCase() === requested.toLowerCase());
  if (!sortBy) {
    throw validationError('SortField', 'Predicate', `'Sort Field' must be one of ${sortFields.join(', ')}; got '${requested.slice(0, 40)}'.`);
  }
  const page = input.page ?? 0;
  if (page < 0) throw validationError('Page', 'GreaterThanOrEqual', "'Page' must be greater than or equal to '0'.");
  const count = input.all ? MAX_COUNT : (input.countPerPage ?? DEFAULT_COUNT);
  if (count < 1 || count > MAX_COUNT) {
    throw validationError('CountPerPage', 'InclusiveBetween', `'Count Per Page' must be between 1 and ${MAX_COUNT}. You entered ${count}.`);
  }
  return { offset: input.all ? 0 : page * count, limit: count, sortBy, descending: input.sortOrder === 'Descend' };
}

/** `ListResponse<T>`: items, totals (unless simplifiedPaging) and whether more pages follow. */
export function listResponse<T>(input: ListInput, page: Page, paged: Paged<T>) {
  const hasMorePages = page.offset + paged.items.length < paged.total;
  if (input.simplifiedPaging) return { items: paged.items, hasMorePages };
  return { items: paged.items, totalCount: paged.total, totalPages: Math.ceil(paged.total / page.limit), hasMorePages };
}
