import { Type } from '@sinclair/typebox';
import type { Kysely } from 'kysely';
import { defineDto } from '../model/dto.js';
import { ApiError, validationError } from '../http/errors.js';
import type { Operation } from '../http/operation.js';
import { accountFor, signedIn } from '../directory/tenancy.js';
import type { Database } from '../store/schema.js';
import type { Clock } from './clock.js';
import type { LifecyclePolicies } from './lifecycle-policies.js';
import { deleteSessionsInRange } from './session-deleter.js';

export const DeleteSessions = defineDto(
  { name: 'DeleteSessions', namespace: 'Voice.Api.Sessions', description: 'Deletes the sessions of an account created in a time range' },
  {
    accountId: Type.Optional(Type.String({ description: 'The account whose sessions are deleted' })),
    startDateTime: Type.Optional(Type.String({ description: 'Sessions created at or after this time (ISO 8601; UTC unless an offset is given)' })),
    endDateTime: Type.Optional(Type.String({ description: 'Sessions created at or before this time (ISO 8601)' })),
  },
);

const DELETERS = ['Manager', 'SystemAdministrator'] as const;

/**
 * An ISO 8601 date or date-time (no offset: UTC) → the stored form, or a 400 naming the member.
 * A bare date as the end of a range means the end of that day.
 */
function instant(member: string, value: string | undefined, endOfDay = false): string {
  const label = member.replace(/([a-z])([A-Z])/g, '$1 $2');
  if (!value) throw validationError(member, 'NotEmpty', `'${label}' must not be empty.`);
  const iso = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(value);
  const ms = iso ? Date.parse(/T/.test(value) && !/(Z|[+-]\d{2}:?\d{2})$/.test(value) ? value + 'Z' : value) : NaN;
  if (Number.isNaN(ms)) throw validationError(member, 'Predicate', `'${label}' must be an ISO 8601 date or time, got '${value.slice(0, 40)}'.`);
  const wholeDay = endOfDay && !value.includes('T');
  return new Date(wholeDay ? ms + 86_399_999 : ms).toISOString();
}

/**
 * DELETE /sessions?accountId=&startDateTime=&endDateTime=: Managers and SystemAdministrators delete an
 * account's sessions (and their events) created in the range, both ends inclusive. Sessions under a
 * legal hold stay; an account under legal hold is a 409 and nothing is deleted. Answers 204.
 */
export function deleteSessionsOperation(db: Kysely<Database>, policies: LifecyclePolicies, clock: Clock): Operation<typeof DeleteSessions> {
  return {
    request: DeleteSessions,
    routes: [{ path: '/sessions', verbs: ['DELETE'] }],
    access: { anyRole: DELETERS },
    description: 'Deletes sessions of an account in a time range (no single-session delete)',
    async handle(input, context) {
      const caller = signedIn(context.caller);
      if (!caller.roles.some((r) => (DELETERS as readonly string[]).includes(r))) {
        throw new ApiError('Forbidden', 'Deleting sessions needs the Manager or SystemAdministrator role');
      }
      if (!input.accountId) throw validationError('AccountId', 'NotEmpty', "'Account Id' must not be empty.");
      const from = instant('StartDateTime', input.startDateTime);
      const to = instant('EndDateTime', input.endDateTime, true);
      if (to < from) throw validationError('EndDateTime', 'GreaterThanOrEqual', "'End Date Time' must not be before 'Start Date Time'.");
      const accountId = accountFor(caller, input.accountId);
      if ((await policies.policyOf(accountId)).legalHold) {
        throw new ApiError('Conflict', `Account '${accountId}' is under legal hold; no session was deleted`);
      }
      await deleteSessionsInRange(db, { accountId, from, to }, {
        deleted_by: caller.userId,
        cause: 'DeleteSessions',
        occurred_at: clock().toISOString(),
      });
      return undefined;
    },
  };
}
