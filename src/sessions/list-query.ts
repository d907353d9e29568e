import { sql, type Expression, type ExpressionBuilder, type Kysely, type SqlBool } from 'kysely';
import type { Database } from '../store/schema.js';
import { likeLiteral, type Search, type SearchTerm, type TextSearch } from '../search/text-search.js';

/** What a list of sessions is filtered by, once the caller's scope and the customer tree are resolved. */
export interface SessionQuery {
  /** The accounts searched: the caller's scope, narrowed by the request. */
  readonly accountIds: readonly string[] | 'all';
  /** Already expanded to each customer's descendants. */
  readonly customerIds?: readonly string[];
  readonly endpointIds?: readonly string[];
  /** ISO-8601 UTC bounds on dateCreated: `createdFrom` inclusive, `createdBefore` exclusive. */
  readonly createdFrom?: string;
  readonly createdBefore?: string;
  readonly from?: string;
  readonly to?: string;
  readonly log?: string;
  readonly parentSessionId?: string;
  readonly specificIds?: readonly string[];
  /** Include archived sessions. */
  readonly searchArchive: boolean;
  /** Only sessions that have not ended. */
  readonly unendedOnly?: boolean;
}

/** The members a list may be sorted by, and their columns; anything else is a 400. */
export const SORT_COLUMNS = {
  dateCreated: 'date_created',
  dateLastModified: 'date_last_modified',
  dateCompleted: 'date_completed',
  id: 'id',
  accountId: 'account_id',
  customerId: 'customer_id',
  endpointId: 'endpoint_id',
  fromAddress: 'from_address',
  toAddress: 'to_address',
  channel: 'channel',
  direction: 'direction',
} as const;

export type SortField = keyof typeof SORT_COLUMNS;

export interface SessionSort {
  readonly field: SortField;
  readonly order: 'Ascend' | 'Descend';
}

type Sessions = ExpressionBuilder<Database & { s: Database['sessions'] }, 's'>;

/**
 * `sessions` aliased `s`, narrowed to a query's matches. Every condition is one an index answers:
 * account first, then the column filters; text through the search index, joined so that its hits
 * drive the lookup instead of being checked row by row — or, with `walk`, checked on each row of
 * a list index walked in page order (a common text on an early page: fewer rows read than sorting
 * every hit).
 */
export function matchingSessions(db: Kysely<Database>, query: SessionQuery, text: RowText, search?: Search, walk = false) {
  const base = db.selectFrom('sessions as s');
  const from = search === undefined || walk
    ? base
    : (base.innerJoin(search.hits().as('h'), (join) =>
        join.onRef('h.account_id', '=', 's.account_id').onRef('h.session_id', '=', 's.id'),
      ) as unknown as typeof base);
  const matching = from.where(sessionConditions(query, text));
  return search !== undefined && walk ? matching.where(search.matches('s')) : matching;
}

/** The filters the text index answers, in the order given: needles long enough for its trigrams. */
export function textTerms(query: SessionQuery, minNeedle: number): SearchTerm[] {
  const terms: SearchTerm[] = [];
  for (const field of ['log', 'from', 'to'] as const) {
    const needle = query[field];
    if (needle !== undefined && [...needle].length >= minNeedle) terms.push({ field, needle });
  }
  return terms;
}

/** Whether a query filters by text alone (within its accounts and archive choice): the text index can count it. */
export function isTextOnly(query: SessionQuery, minNeedle: number): boolean {
  const short = (needle?: string) => needle !== undefined && [...needle].length < minNeedle;
  return (
    textTerms(query, minNeedle).length > 0 &&
    query.customerIds === undefined && query.endpointIds === undefined && query.createdFrom === undefined &&
    query.createdBefore === undefined && query.parentSessionId === undefined && query.specificIds === undefined &&
    !query.unendedOnly && !short(query.from) && !short(query.to) && !short(query.log)
  );
}

/** What the list needs of the store's text search to check a row itself. */
export type RowText = Pick<TextSearch, 'minNeedle' | 'rowContains'>;

function sessionConditions(query: SessionQuery, { minNeedle, rowContains }: RowText) {
  return (eb: Sessions): Expression<SqlBool> => {
    const all: Expression<SqlBool>[] = [];
    if (query.accountIds !== 'all') {
      if (query.accountIds.length === 0) return sql<SqlBool>`1 = 0`;
      all.push(eb('s.account_id', 'in', [...query.accountIds]));
    }
    if (!query.searchArchive) all.push(eb('s.archived', '=', 0));
    if (query.unendedOnly) all.push(eb('s.ended', '=', 0));
    if (query.specificIds) {
      if (query.specificIds.length === 0) return sql<SqlBool>`1 = 0`;
      all.push(eb('s.id', 'in', [...query.specificIds]));
    }
    if (query.customerIds) {
      if (query.customerIds.length === 0) return sql<SqlBool>`1 = 0`;
      all.push(eb('s.customer_id', 'in', [...query.customerIds]));
    }
    if (query.endpointIds) {
      if (query.endpointIds.length === 0) return sql<SqlBool>`1 = 0`;
      all.push(eb('s.endpoint_id', 'in', [...query.endpointIds]));
    }
    if (query.parentSessionId !== undefined) all.push(eb('s.parent_session_id', '=', query.parentSessionId));
    if (query.createdFrom !== undefined) all.push(eb('s.date_created', '>=', query.createdFrom));
    if (query.createdBefore !== undefined) all.push(eb('s.date_created', '<', query.createdBefore));
    for (const field of ['from', 'to'] as const) {
      const needle = query[field];
      if (needle === undefined || [...needle].length >= minNeedle) continue;
      // Too short for trigrams: a scan, but only of the rows the other conditions leave.
      const column = field === 'from' ? 's.from_address' : 's.to_address';
      all.push(sql<SqlBool>`lower(${sql.ref(column)}) LIKE ${'%' + likeLiteral(needle.toLowerCase()) + '%'} ESCAPE '\\'`);
    }
    // A log needle of 1–2 characters has no trigram: each row the other conditions leave is read,
    // with the longer search's semantics. In page order a common one fills a page after a few
    // dozen rows; an empty needle is in every log.
    if (query.log !== undefined && query.log !== '' && [...query.log].length < minNeedle) {
      all.push(rowContains('s', { field: 'log', needle: query.log }));
    }
    return eb.and(all);
  };
}
