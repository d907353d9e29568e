import { validationError } from '../http/errors.js';

export interface ListInput {
  readonly page?: number;
  readonly all?: boolean;
  readonly countPerPage?: number;
  readonly specificIds?: readonly string[];
  readonly sortOrder?: 'Ascend' | 'Descend';
  readonly simplifiedPaging?: boolean;
}

export interface Page {
  readonly offset: number;
  readonly limit: number;
  readonly descending: boolean;
}

export interface Paged<T> {
  readonly items: readonly T[];
  readonly total: number;
}

const DEFAULT_COUNT = 25;
/** `all=true` still stops somewhere: a directory of more than this is paged. */
const MAX_COUNT = 10_000;

/** The rows a ListRequest asks for; negative pages and counts are a 400. */
export function pageOf(input: ListInput): Page {
  const page = input.page ?? 0;
  if (page < 0) throw validationError('Page', 'GreaterThanOrEqual', "'Page' must be greater than or equal to '0'.");
  const count = input.all ? MAX_COUNT : (input.countPerPage ?? DEFAULT_COUNT);
  if (count < 1 || count > MAX_COUNT) {
    throw validationError('CountPerPage', 'InclusiveBetween', `'Count Per Page' must be between 1 and ${MAX_COUNT}. You entered ${count}.`);
  }
  return { offset: input.all ? 0 : page * count, limit: count, descending: input.sortOrder === 'Descend' };
}

/** `ListResponse<T>`: items, totals (unless simplifiedPaging) and whether more pages follow. */
export function listResponse<T>(input: ListInput, page: Page, paged: Paged<T>) {
  const hasMorePages = page.offset + paged.items.length < paged.total;
  if (input.simplifiedPaging) return { items: paged.items, hasMorePages };
  return { items: paged.items, totalCount: paged.total, totalPages: Math.ceil(paged.total / page.limit), hasMorePages };
}
