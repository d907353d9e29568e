import { Type, type Static } from '@sinclair/typebox';
import { defineDto, defineEnum } from './dto.js';

export const SortOrders = defineEnum('SortOrders', 'Voice.Api', ['Ascend', 'Descend']);

const opt = Type.Optional;

/** `ListRequest<T>` (namespace Voice.Api): the paging and sorting every list operation takes. */
export const ListRequest = defineDto(
  { name: 'ListRequest', namespace: 'Voice.Api', description: 'Paging and sorting for a list' },
  {
    page: opt(Type.Integer({ description: 'The page to return, from 0' })),
    all: opt(Type.Boolean({ description: 'Return every match on one page (up to a hard cap)' })),
    countPerPage: opt(Type.Integer({ description: 'Items per page (default 25)' })),
    specificIds: opt(Type.Array(Type.String(), { description: 'Only these ids' })),
    sortField: opt(Type.String({ description: 'The field to sort by' })),
    sortOrder: opt({ ...SortOrders.schema, description: 'Ascend or Descend' }),
    simplifiedPaging: opt(Type.Boolean({ description: 'Skip the totals; items is empty past the end' })),
  },
);

/** What a list request's paging and sorting bind to, from the schema above. */
export type ListRequestInput = Static<typeof ListRequest.schema>;
