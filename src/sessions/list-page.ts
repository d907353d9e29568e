import { countedTotals, type PageTotals, type PageWindow } from './list-paging.js';
import type { SessionQuery, SessionSort } from './list-query.js';
import type { SessionListRepository } from './list-repository.js';

/** One ListSessions read, validated: plain data, so it can run on a read worker as well as inline. */
export interface ListPageRequest {
  readonly query: SessionQuery;
  /** Customers to expand to their descendants within `query.accountIds` before matching. */
  readonly customerIds?: readonly string[];
  readonly sort: SessionSort;
  readonly window: PageWindow;
  readonly allHardCap: number;
}

/** The page's canonical documents and totals, or `all=true` over more than the cap (`count` when counted). */
export type ListPageResult =
  | { readonly documents: string[]; readonly totals: PageTotals }
  | { readonly tooMany: true; readonly count?: number };

/**
 * Counts and reads the page a ListSessions request asks for: every query of one request, so a
 * read worker answers it in one round trip and the search plan is made once for count and page.
 */
export async function readListPage(lists: SessionListRepository, request: ListPageRequest): Promise<ListPageResult> {
  const { sort, window, allHardCap } = request;
  let query = request.query;
  if (request.customerIds?.length) query = { ...query, customerIds: await lists.customerSubtree(query.accountIds, request.customerIds) };

  if (window.all) {
    const count = window.withTotals ? await lists.count(query) : undefined;
    if (count !== undefined && count > allHardCap) return { tooMany: true, count };
    const documents = await lists.page(query, sort, 0, allHardCap + 1);
    if (documents.length > allHardCap) return { tooMany: true, count };
    return { documents, totals: count === undefined ? { hasMorePages: false } : countedTotals(window, count) };
  }
  if (!window.withTotals) {
    if (window.beyondEnd) return { documents: [], totals: { hasMorePages: false } };
    const documents = await lists.page(query, sort, window.offset, window.countPerPage + 1);
    const hasMorePages = documents.length > window.countPerPage;
    return { documents: hasMorePages ? documents.slice(0, window.countPerPage) : documents, totals: { hasMorePages } };
  }
  const count = await lists.count(query);
  const documents = window.offset < count ? await lists.page(query, sort, window.offset, window.countPerPage, count) : [];
  return { documents, totals: countedTotals(window, count) };
}
