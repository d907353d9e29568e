import { Type, type Static } from '@sinclair/typebox';
import { defineDto, StringMap } from './dto.js';

// ServiceStack's own contracts: one assembly-wide namespace, members in [DataMember(Order)] order.
const SERVICESTACK = { namespace: 'ServiceStack', xmlNamespace: 'http://schemas.servicestack.net/types', memberOrder: 'declared' } as const;

export const ResponseError = defineDto(
  { name: 'ResponseError', ...SERVICESTACK },
  {
    errorCode: Type.Optional(Type.String()),
    fieldName: Type.Optional(Type.String()),
    message: Type.Optional(Type.String()),
    meta: Type.Optional(StringMap()),
  },
);

export const ResponseStatus = defineDto(
  { name: 'ResponseStatus', ...SERVICESTACK },
  {
    errorCode: Type.Optional(Type.String()),
    message: Type.Optional(Type.String()),
    stackTrace: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Array(ResponseError.schema)),
    meta: Type.Optional(StringMap()),
  },
);

export const ErrorResponse = defineDto(
  { name: 'ErrorResponse', ...SERVICESTACK },
  { responseStatus: Type.Optional(ResponseStatus.schema) },
);

export type ResponseStatus = Static<typeof ResponseStatus.schema>;
export type ResponseError = Static<typeof ResponseError.schema>;
