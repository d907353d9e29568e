import { ApiError } from '../http/errors.js';
import type { Operation } from '../http/operation.js';
import type { DirectoryReads } from './directory-reads.js';
import type { SessionWriter } from './session-writer.js';
import { PostSessionEvents, PostSessionEventsResponse } from './neutral-event.js';
import { readNeutralEvent } from './read-neutral-event.js';
import type { ResponseError } from '../model/response-status.js';
import type { SessionsRepository } from '../sessions/sessions-repository.js';
import type { SessionIds } from './session-id.js';
import { existingAccountFor, signedIn } from '../directory/tenancy.js';

/** Largest batch accepted in one request; bigger feeds split their batches. */
export const MAX_EVENTS_PER_BATCH = 1000;

/**
 * POST /sessions/events: a batch of provider-neutral events, all stored or none (a bad event is a
 * 400 naming it, and nothing of the batch lands). Retries are acknowledged and change nothing.
 */
export function postSessionEventsOperation(
  writer: SessionWriter,
  directory: DirectoryReads,
  ids: SessionIds,
  sessions: SessionsRepository,
): Operation<typeof PostSessionEvents> {
  return {
    request: PostSessionEvents,
    response: PostSessionEventsResponse,
    routes: [{ path: '/sessions/events', verbs: ['POST'] }],
    access: { anyRole: ['Manager'] },
    description: 'Ingests a batch of provider-neutral session events',
    async handle(input, context) {
      const accountId = await existingAccountFor(signedIn(context.caller), input.accountId, async (id) => (await directory.accountName(id)) !== undefined);
      const events = input.events ?? [];
      if (!events.length) throw new ApiError('ValidationException', "'Events' must not be empty.", [{ errorCode: 'NotEmpty', fieldName: 'Events', message: "'Events' must not be empty." }]);
      if (events.length > MAX_EVENTS_PER_BATCH) throw new ApiError('PayloadTooLarge', `At most ${MAX_EVENTS_PER_BATCH} events per request`);
      const problems: ResponseError[] = [];
      const recorded = [];
      for (const [index, raw] of events.entries()) {
        // Provider events are the telephony system's, like Twilio's: no person's name goes on them
        // (lastModifiedBy stays `system`); who may deliver them is checked by access above.
        const read = await readNeutralEvent(accountId, raw, index, directory, null, ids);
        problems.push(...read.problems);
        if (read.event && raw.sessionId && (await sessions.findById(read.event.sessionId))?.accountId !== accountId) {
          // A sessionId names a session this account has; it never creates one. Otherwise a caller
          // could create, under an id it chose, the session another account is about to get, and
          // every event of that account's would be refused. Another account's session and a missing
          // one get this same answer. New sessions come from `sessionKey`, keyed per account.
          problems.push({ errorCode: 'NotFound', fieldName: `Events[${index}].SessionId`, message: `Session '${read.event.sessionId}' does not exist in account '${accountId}'` });
        } else if (read.event) recorded.push(read.event);
      }
      if (problems.length) throw new ApiError('ValidationException', problems[0]?.message ?? 'Invalid events', problems);
      const result = await writer.write(recorded);
      return { accepted: result.appended, duplicates: result.duplicates, sessionIds: [...new Set(recorded.map((e) => e.sessionId))] };
    },
  };
}
