import { Type } from '@sinclair/typebox';
import { defineDto } from '../model/dto.js';
import { SessionInfo } from '../model/session-info.js';
import { validationError } from '../http/errors.js';
import { signedIn, visibleRecord } from '../directory/tenancy.js';
import { assertText } from '../directory/text-input.js';
import type { Operation } from '../http/operation.js';
import { StoredBody } from '../http/stored-body.js';
import type { SessionsRepository } from './sessions-repository.js';

export const GetSession = defineDto(
  { name: 'GetSession', namespace: 'Voice.Api.Sessions', description: 'Gets the specified session' },
  { sessionId: Type.Optional(Type.String({ description: 'The ID of the session to retrieve' })) },
);

/** Longest id accepted; Evo Voice ids are 24 hex characters, imported ones a little longer. */
export const MAX_SESSION_ID_LENGTH = 128;

/**
 * Session ids are printable text of bounded length; anything else is a 400 before the store sees it
 * (PostgreSQL rejects NUL in text, and an id of megabytes is no id).
 */
export function assertSessionId(id: string | undefined): string {
  if (!id) throw validationError('SessionId', 'NotEmpty', "'Session Id' must not be empty.");
  assertText('SessionId', id, MAX_SESSION_ID_LENGTH);
  return id;
}

/** GET /sessions/{sessionId}: the session with its log (the hosted service leaves the log out here). */
export function getSessionOperation(sessions: SessionsRepository): Operation<typeof GetSession> {
  return {
    request: GetSession,
    response: SessionInfo,
    routes: [{ path: '/sessions/{sessionId}', verbs: ['GET'] }],
    description: 'Gets the specified session',
    async handle({ sessionId }, { caller }) {
      const id = assertSessionId(sessionId);
      const found = visibleRecord(signedIn(caller), 'Session', id, await sessions.findById(id), (s) => [s.accountId]);
      return new StoredBody(found.json, found.id);
    },
  };
}
