import { randomUUID } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import { ApiError, notFound } from '../http/errors.js';
import { existingAccountFor, signedIn, visibleRecord } from '../directory/tenancy.js';
import type { Operation, OperationContext } from '../http/operation.js';
import { StoredBody } from '../http/stored-body.js';
import { defineDto } from '../model/dto.js';
import { FlowChannels, SessionCallState, SessionDirections, SessionHoldReasons, SessionQueueStates } from '../model/enums.js';
import { SessionInfo } from '../model/session-info.js';
import { assertSessionId } from '../sessions/get-session.js';
import type { SessionsRepository, StoredSession } from '../sessions/sessions-repository.js';
import type { DirectoryReads } from './directory-reads.js';
import type { SessionWriter } from './session-writer.js';
import type { RecordedEvent, SessionEvent } from './session-event.js';
import { newSessionId } from './session-id.js';

const str = (description: string) => Type.Optional(Type.String({ description }));

export const NewSession = defineDto(
  { name: 'NewSession', namespace: 'Voice.Api.Sessions', description: 'Creates a voice, chat or fax session' },
  {
    accountId: str('The account the session belongs to'),
    channel: Type.Optional(FlowChannels.schema),
    direction: Type.Optional(SessionDirections.schema),
    endpointId: str('The endpoint the session belongs to'),
    customerId: str('The customer the session belongs to (default: the endpoint’s)'),
    fromAddress: str('The from address'),
    toAddress: str('The to address'),
    fromName: str('The from name'),
    displayName: str('The display name'),
    callSid: str('The provider call SID, for a voice session'),
  },
);

export const PatchSession = defineDto(
  { name: 'PatchSession', namespace: 'Voice.Api.Sessions', description: 'Updates a session; only the members sent are applied' },
  {
    sessionId: str('The ID of the session'),
    consoleData: str('Console data'),
    callState: Type.Optional(SessionCallState.schema),
    holdReason: Type.Optional(SessionHoldReasons.schema),
    queueState: Type.Optional(SessionQueueStates.schema),
  },
);

export const AppendSessionLog = defineDto(
  { name: 'AppendSessionLog', namespace: 'Voice.Api.Sessions', description: 'Appends a line to a session’s log' },
  { sessionId: str('The ID of the session'), message: str('The line to append') },
);

/** Longest log line or console data accepted from the API. */
export const MAX_TEXT_LENGTH = 16 * 1024;

interface Deps {
  readonly writer: SessionWriter;
  readonly sessions: SessionsRepository;
  readonly directory: DirectoryReads;
  readonly now: () => Date;
}

/** A command as a ledger event: new every time, done by the caller, now. */
function commandEvent(deps: Deps, accountId: string, sessionId: string, event: SessionEvent, context: OperationContext): RecordedEvent {
  return { accountId, sessionId, dedupeKey: `api:${randomUUID()}`, source: 'api', occurredAt: deps.now().toISOString(), sequence: null, actor: signedIn(context.caller).userId, event };
}

/** Records a command as an event on an existing session and answers the session as re-folded. */
async function record(deps: Deps, sessionId: string | undefined, event: SessionEvent, context: OperationContext): Promise<StoredBody> {
  const id = assertSessionId(sessionId);
  // Another account's session and a missing one get the same answer, as GetSession gives.
  const found = visibleRecord(signedIn(context.caller), 'Session', id, await deps.sessions.findById(id), (s) => [s.accountId]);
  await deps.writer.write([commandEvent(deps, found.accountId, id, event, context)]);
  return storedBodyOf(await existing(deps.sessions, id));
}

const storedBodyOf = (session: StoredSession) => new StoredBody(session.json, session.id);

async function existing(sessions: SessionsRepository, id: string): Promise<StoredSession> {
  const found = await sessions.findById(id);
  if (!found) throw notFound(`Session '${id}' does not exist`);
  return found;
}

function limited(name: string, value: string | undefined): string | undefined {
  if (value !== undefined && value.length > MAX_TEXT_LENGTH) {
    throw new ApiError('ValidationException', `'${name}' must be ${MAX_TEXT_LENGTH} characters or fewer.`, [
      { errorCode: 'MaximumLength', fieldName: name, message: `'${name}' must be ${MAX_TEXT_LENGTH} characters or fewer.` },
    ]);
  }
  return value;
}

/** POST /sessions: a session created by a user, recorded as its SessionStarted event. */
export function newSessionOperation(deps: Deps): Operation<typeof NewSession> {
  return {
    request: NewSession,
    response: SessionInfo,
    routes: [{ path: '/sessions', verbs: ['POST'] }],
    access: { anyRole: ['User', 'Manager'] },
    description: 'Creates a voice, chat or fax session',
    async handle(input, context) {
      const accountId = await existingAccountFor(signedIn(context.caller), input.accountId, async (id) => (await deps.directory.accountName(id)) !== undefined);
      const endpoint = input.endpointId ? await deps.directory.endpointById(accountId, input.endpointId) : undefined;
      if (input.endpointId && !endpoint) throw notFound(`Endpoint '${input.endpointId}' does not exist`);
      const customerId = input.customerId ?? endpoint?.customerId;
      const customer = customerId ? await deps.directory.customer(accountId, customerId) : undefined;
      if (input.customerId && !customer) throw notFound(`Customer '${input.customerId}' does not exist`);
      const direction = input.direction ?? 'Outgoing';
      const id = newSessionId();
      const opened: SessionEvent = {
        type: 'SessionStarted',
        channel: input.channel ?? 'Chat',
        direction,
        callSid: input.callSid,
        fromAddress: limited('FromAddress', input.fromAddress),
        toAddress: limited('ToAddress', input.toAddress),
        fromName: limited('FromName', input.fromName),
        displayName: limited('DisplayName', input.displayName) ?? (direction === 'Incoming' ? input.fromAddress : input.toAddress),
        accountName: await deps.directory.accountName(accountId),
        endpointId: endpoint?.id,
        endpointName: endpoint?.displayName,
        ...customer,
      };
      await deps.writer.write([commandEvent(deps, accountId, id, opened, context)]);
      return storedBodyOf(await existing(deps.sessions, id));
    },
  };
}

/** PATCH /sessions/{sessionId}: consoleData, callState, holdReason, queueState; only those sent apply. */
export function patchSessionOperation(deps: Deps): Operation<typeof PatchSession> {
  return {
    request: PatchSession,
    response: SessionInfo,
    routes: [{ path: '/sessions/{sessionId}', verbs: ['PATCH'] }],
    access: { anyRole: ['User', 'Manager'] },
    description: 'Updates a session; only the members sent are applied',
    async handle(input, context) {
      const { consoleData, callState, holdReason, queueState } = input;
      if (consoleData === undefined && callState === undefined && holdReason === undefined && queueState === undefined) {
        throw new ApiError('ValidationException', 'Send at least one of ConsoleData, CallState, HoldReason, QueueState.');
      }
      return record(deps, input.sessionId, { type: 'SessionPatched', consoleData: limited('ConsoleData', consoleData), callState, holdReason, queueState }, context);
    },
  };
}

/** POST /sessions/{sessionId}/log: appends a line to the log. */
export function appendSessionLogOperation(deps: Deps): Operation<typeof AppendSessionLog> {
  return {
    request: AppendSessionLog,
    response: SessionInfo,
    routes: [{ path: '/sessions/{sessionId}/log', verbs: ['POST'] }],
    access: { anyRole: ['User', 'Manager'] },
    description: 'Appends a line to a session’s log',
    async handle(input, context) {
      const message = limited('Message', input.message);
      if (!message || message.trim() === '') throw new ApiError('ValidationException', "'Message' must not be empty.", [{ errorCode: 'NotEmpty', fieldName: 'Message', message: "'Message' must not be empty." }]);
      return record(deps, input.sessionId, { type: 'LogAppended', message }, context);
    },
  };
}
