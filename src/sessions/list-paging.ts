import type { ListRequestInput } from '../model/list-request.js';
import { validationError } from '../http/errors.js';

export const DEFAULT_COUNT_PER_PAGE = 25;
/** Largest page a client may ask for; past it, page through or use `all`. */
export const MAX_COUNT_PER_PAGE = 1000;
/** Most items `all=true` returns; a list matching more is refused with a 400, never truncated. */
export const ALL_HARD_CAP = 10_000;
export const MAX_SPECIFIC_IDS = 1000;
// No store holds this many sessions: a page past it is empty without asking the database.
const MAX_OFFSET = 1e12;

/** Which slice of the matches a ListRequest asks for. */
export interface PageWindow {
  readonly page: number;
  readonly countPerPage: number;
  readonly offset: number;
  readonly all: boolean;
  readonly withTotals: boolean;
  /** The offset is past anything a store can hold. */
  readonly beyondEnd: boolean;
}

/** Validates a ListRequest's paging members; bad values are a 400 naming the member. */
export function pageWindow(input: ListRequestInput): PageWindow {
  const page = input.page ?? 0;
  const countPerPage = input.countPerPage ?? DEFAULT_COUNT_PER_PAGE;
  if (page < 0) throw validationError('Page', 'GreaterThanOrEqual', "'Page' must be greater than or equal to '0'.");
  if (countPerPage < 1 || countPerPage > MAX_COUNT_PER_PAGE) {
    throw validationError('CountPerPage', 'InclusiveBetween', `'Count Per Page' must be between 1 and ${MAX_COUNT_PER_PAGE}. You entered ${countPerPage}.`);
  }
  if ((input.specificIds?.length ?? 0) > MAX_SPECIFIC_IDS) {
    throw validationError('SpecificIds', 'MaximumLength', `'Specific Ids' may name at most ${MAX_SPECIFIC_IDS} ids.`);
  }
  const offset = page * countPerPage;
  return {
    page,
    countPerPage,
    offset: input.all ? 0 : offset,
    all: input.all === true,
    withTotals: input.simplifiedPaging !== true,
    beyondEnd: !input.all && offset > MAX_OFFSET,
  };
}

/** The refusal for `all=true` over more matches than the cap. */
export function tooManyForAll(count: number | undefined, cap = ALL_HARD_CAP) {
  const how = count === undefined ? `more than ${cap}` : String(count);
  return validationError(
    'All',
    'LessThanOrEqual',
    `The list matches ${how} items; 'All' returns at most ${cap}. Page through it (countPerPage up to ${MAX_COUNT_PER_PAGE}) or narrow the filters.`,
  );
}

export interface PageTotals {
  readonly totalCount?: number;
  readonly totalPages?: number;
  readonly hasMorePages: boolean;
}

/** Totals of a page whose matches were counted. */
export function countedTotals(window: PageWindow, totalCount: number): PageTotals {
  if (window.all) return { totalCount, totalPages: totalCount > 0 ? 1 : 0, hasMorePages: false };
  const totalPages = Math.ceil(totalCount / window.countPerPage);
  return { totalCount, totalPages, hasMorePages: window.page + 1 < totalPages };
}
