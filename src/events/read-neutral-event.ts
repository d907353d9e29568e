import type { ResponseError } from '../model/response-status.js';
import { assertSessionId } from '../sessions/get-session.js';
import type { DirectoryReads } from './directory-reads.js';
import type { NeutralEventInput } from './neutral-event.js';
import { isLegStatus, SESSION_EVENT_TYPES, type MemberRole, type Party, type RecordedEvent, type SessionEvent, type SessionOpening } from './session-event.js';
import type { SessionIds } from './session-id.js';

/**
 * The neutral vocabulary: every event type but the snapshot, which only import writes, and the
 * records of Switchboard's own call control (its commands, Twilio's recording callbacks and its
 * hold queue's) and messaging (Twilio's messages and their statuses).
 */
export const NEUTRAL_TYPES = SESSION_EVENT_TYPES.filter(
  (t) => t !== 'SessionImported' && t !== 'ControlRequested' && t !== 'RecordingStatus' && !t.startsWith('HoldQueue') && !t.startsWith('Message'),
);

class Problems {
  readonly list: ResponseError[] = [];
  constructor(private readonly prefix: string) {}
  add(field: string, message: string, errorCode = 'Predicate') {
    this.list.push({ errorCode, fieldName: `${this.prefix}.${field}`, message });
  }
}

const ENUM_VALUES = {
  channel: ['Voice', 'Chat', 'Fax'],
  direction: ['Incoming', 'Outgoing'],
  role: ['None', 'Caller', 'Agent', 'Transfer'],
  callState: ['Disconnected', 'Ringing', 'Connected', 'Hold', 'Passive'],
  holdReason: ['None', 'Transferring'],
  queueState: ['None', 'Queued', 'Ringing', 'Connected', 'Hold', 'Disconnected'],
} as const;

function choice<K extends keyof typeof ENUM_VALUES>(data: Record<string, string>, key: K, problems: Problems, fallback?: (typeof ENUM_VALUES)[K][number]) {
  const raw = data[key];
  if (raw === undefined || raw === '') return fallback;
  const found = (ENUM_VALUES[key] as readonly string[]).find((v) => v.toLowerCase() === raw.toLowerCase());
  if (!found) problems.add(`Data.${key}`, `'${raw}' is not one of ${ENUM_VALUES[key].join(', ')}`);
  return found as (typeof ENUM_VALUES)[K][number] | undefined;
}

function need(data: Record<string, string>, key: string, problems: Problems): string {
  const value = data[key];
  if (value === undefined || value === '') problems.add(`Data.${key}`, `'${key}' must not be empty.`, 'NotEmpty');
  return value ?? '';
}

async function party(accountId: string, data: Record<string, string>, directory: DirectoryReads, problems: Problems): Promise<Party> {
  const identity = data.identity ?? data.to;
  const known = data.endpointId
    ? await directory.endpointById(accountId, data.endpointId)
    : identity
      ? await directory.endpointByAddress(accountId, identity)
      : undefined;
  const role: MemberRole | undefined = choice(data, 'role', problems) ?? (known ? (known.type === 'User' ? 'Agent' : 'Transfer') : undefined);
  return {
    identity: identity ?? known?.identity,
    endpointId: known?.id,
    displayName: data.displayName ?? known?.displayName ?? identity,
    avatarUrl: known?.avatarUrl,
    role,
  };
}

async function opening(accountId: string, data: Record<string, string>, directory: DirectoryReads, problems: Problems): Promise<SessionOpening> {
  const direction = choice(data, 'direction', problems, 'Incoming')!;
  const endpoint = data.endpointId ? await directory.endpointById(accountId, data.endpointId) : undefined;
  if (data.endpointId && !endpoint) problems.add('Data.endpointId', `Endpoint '${data.endpointId}' does not exist`);
  const customerId = data.customerId ?? endpoint?.customerId;
  const customer = customerId ? await directory.customer(accountId, customerId) : undefined;
  return {
    channel: choice(data, 'channel', problems, 'Voice')!,
    direction,
    callSid: data.callSid,
    fromAddress: data.from,
    toAddress: data.to,
    fromName: data.fromName,
    displayName: data.displayName ?? (direction === 'Incoming' ? data.from : data.to),
    accountName: await directory.accountName(accountId),
    endpointId: endpoint?.id,
    endpointName: endpoint?.displayName,
    ...customer,
  };
}

async function eventOf(accountId: string, type: string, data: Record<string, string>, directory: DirectoryReads, problems: Problems): Promise<SessionEvent | undefined> {
  switch (type) {
    case 'SessionStarted':
      return { type, ...(await opening(accountId, data, directory, problems)) };
    case 'CallLegStatus': {
      const status = need(data, 'status', problems);
      if (status && !isLegStatus(status)) problems.add('Data.status', `'${status}' is not a call status`);
      return {
        type,
        callSid: need(data, 'callSid', problems),
        parentCallSid: data.parentCallSid,
        status: status as 'completed',
        party: data.parentCallSid ? await party(accountId, data, directory, problems) : undefined,
        answeredBy: data.answeredBy,
        durationSeconds: data.durationSeconds && /^\d{1,9}$/.test(data.durationSeconds) ? Number(data.durationSeconds) : undefined,
        recordingUrl: data.recordingUrl,
      };
    }
    case 'QueueEntered':
      return { type, queueName: data.queueName, ringQueueId: data.ringQueueId };
    case 'ConferenceStarted':
    case 'ConferenceEnded':
      return { type, conferenceSid: need(data, 'conferenceSid', problems), friendlyName: data.friendlyName, reason: data.reason };
    case 'ParticipantJoined':
    case 'ParticipantLeft':
    case 'ParticipantHeld':
    case 'ParticipantUnheld':
    case 'ParticipantMuted':
    case 'ParticipantUnmuted':
      return {
        type,
        conferenceSid: need(data, 'conferenceSid', problems),
        friendlyName: data.friendlyName,
        callSid: need(data, 'callSid', problems),
        party: data.identity || data.endpointId ? await party(accountId, data, directory, problems) : undefined,
        hold: data.hold === 'true',
        muted: data.muted === 'true',
        reason: data.reason,
      };
    case 'SessionPatched':
      return {
        type,
        consoleData: data.consoleData,
        callState: choice(data, 'callState', problems),
        holdReason: choice(data, 'holdReason', problems),
        queueState: choice(data, 'queueState', problems),
      };
    case 'LogAppended':
      return { type, message: need(data, 'message', problems) };
    case 'MemberJoined':
    case 'MemberLeft': {
      need(data, 'identity', problems);
      return { type, party: await party(accountId, data, directory, problems) };
    }
    case 'SessionEnded':
      return { type, outcome: data.outcome };
  }
  problems.add('Type', `'${type}' is not an event type (${NEUTRAL_TYPES.join(', ')})`);
  return undefined;
}

/**
 * Reads one neutral event into a ledger event, or returns its problems (field names like
 * `Events[2].OccurredAt`). The dedupe key is source + id, so a provider's retry is stored once.
 */
export async function readNeutralEvent(
  accountId: string,
  input: NeutralEventInput,
  index: number,
  directory: DirectoryReads,
  actor: string | null,
  ids: SessionIds,
): Promise<{ event?: RecordedEvent; problems: ResponseError[] }> {
  const problems = new Problems(`Events[${index}]`);
  if (!input.id) problems.add('Id', "'Id' must not be empty.", 'NotEmpty');
  if (!input.source) problems.add('Source', "'Source' must not be empty.", 'NotEmpty');
  if (!input.type) problems.add('Type', "'Type' must not be empty.", 'NotEmpty');
  const ms = input.occurredAt ? Date.parse(input.occurredAt) : NaN;
  if (Number.isNaN(ms)) problems.add('OccurredAt', "'Occurred At' must be an ISO-8601 date.");
  let sessionId: string | undefined;
  if (input.sessionId) {
    try {
      sessionId = assertSessionId(input.sessionId);
    } catch (error) {
      problems.add('SessionId', (error as Error).message);
    }
  } else if (input.sessionKey && input.source) sessionId = await ids.forKey(accountId, input.source, input.sessionKey);
  else problems.add('SessionId', 'Either SessionId or SessionKey is required.', 'NotEmpty');
  const event = input.type ? await eventOf(accountId, input.type, input.data ?? {}, directory, problems) : undefined;
  if (problems.list.length || !event || !sessionId) return { problems: problems.list };
  return {
    problems: [],
    event: {
      accountId,
      sessionId,
      dedupeKey: `${input.source}:${input.id}`,
      source: input.source!,
      occurredAt: new Date(ms).toISOString(),
      sequence: input.sequence ?? null,
      actor,
      event,
    },
  };
}
