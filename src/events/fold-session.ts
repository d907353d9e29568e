import type { SessionInfo, SessionLogInfo, SessionMemberInfo } from '../model/session-info.js';
import { advancesRecording } from './recordings.js';
import { compareEvents, TERMINAL_LEG_STATUSES, type ControlCommand, type ControlRequest, type LegStatus, type Party, type RecordedEvent, type SessionEvent, type SessionOpening } from './session-event.js';

/** What the fold needs beyond the events: the missed-call rule's threshold. */
export interface FoldPolicy {
  /**
   * An inbound call that ends unanswered within this many seconds of starting is a short abandon
   * (a misdial, a caller who thought better of it), not a missed call.
   */
  readonly shortAbandonSeconds: number;
}

export const DEFAULT_FOLD_POLICY: FoldPolicy = Object.freeze({ shortAbandonSeconds: 5 });

/** What the fold remembers that the document does not show. */
interface Facts {
  opened: boolean;
  readonly legs: Map<string, LegStatus>;
  agentConnected: boolean;
  queued: boolean;
  voicemail: boolean;
  answeredByMachine: boolean;
  parentStatus?: LegStatus;
  /** The session ended through an event of this fold (not a snapshot): outcome and wasMissed are ours to set. */
  endedHere: boolean;
  explicitOutcome?: string;
  /** Every call-control command Twilio took or may have taken, by kind, oldest first, whatever its place in fold order. */
  readonly commands: ReadonlyMap<ControlCommand, readonly Command[]>;
  /** Each message's furthest status so far (MESSAGE_STATUS_RANK). */
  readonly messages: Map<string, string>;
  /** Each recording's furthest status so far (recordings.ts). */
  readonly recordings: Map<string, string>;
  /** Each hold-queue stay (by holdId) as far as it got: a repeat or a late entry changes nothing. */
  readonly holds: Map<string, 'entered' | 'left'>;
}

/**
 * How far along a message's delivery a status is. Twilio's callbacks arrive in any order and
 * repeat (telephony-events.md §1), so a status applies only when it goes further than the one the
 * message has: `delivered` folded before `sent` stays delivered, whatever order they are folded in.
 */
const MESSAGE_STATUS_RANK: Readonly<Record<string, number>> = {
  accepted: 0,
  scheduled: 0,
  queued: 0,
  sending: 1,
  sent: 2,
  receiving: 2,
  received: 3,
  undelivered: 3,
  failed: 3,
  delivered: 4,
  read: 5,
  canceled: 3,
};
const rankOfStatus = (status: string) => MESSAGE_STATUS_RANK[status] ?? 0;

interface Command {
  readonly at: number;
  readonly actor: string | null;
  readonly request: ControlRequest;
}

/**
 * A command is recorded once Twilio has answered it, and Twilio may stamp the callback confirming
 * it before that, to the second (its timestamps have one-second resolution): so a command counts
 * for a callback stamped up to this long before it. Twilio's answers take ~100-500 ms.
 */
const CALLBACK_RESOLUTION_MS = 5000;
/** A command older than this when its effect is reported did not cause it (someone else did). */
const ATTRIBUTION_WINDOW_MS = 120_000;

type Working = SessionInfo & { log: SessionLogInfo[]; members: SessionMemberInfo[] };

/**
 * Folds a session's events into its SessionInfo: a pure function of the set of events, whatever
 * order they are passed in (they are sorted by `compareEvents` first). Terminal leg states are
 * sticky: a status that comes after a leg ended is written to the log and otherwise ignored.
 *
 * @example
 * foldSession('acct_acme', 'abc', events) // { id: 'abc', callState: 'Connected', … }
 */
export function foldSession(
  accountId: string,
  sessionId: string,
  events: readonly RecordedEvent[],
  policy: FoldPolicy = DEFAULT_FOLD_POLICY,
): SessionInfo {
  const ordered = [...events].sort(compareEvents);
  let session: Working = { id: sessionId, accountId, log: [], members: [] };
  const commands = new Map<ControlCommand, Command[]>();
  for (const recorded of ordered) {
    const e = recorded.event;
    if (e.type !== 'ControlRequested' || e.outcome === 'failed') continue;
    let list = commands.get(e.command);
    if (!list) commands.set(e.command, (list = []));
    list.push({ at: Date.parse(recorded.occurredAt), actor: recorded.actor, request: e });
  }
  for (const list of commands.values()) list.sort((a, b) => a.at - b.at);
  const facts: Facts = { opened: false, legs: new Map(), agentConnected: false, queued: false, voicemail: false, answeredByMachine: false, endedHere: false, commands, messages: new Map(), recordings: new Map(), holds: new Map() };
  for (const recorded of ordered) {
    if (recorded.event.type === 'SessionImported') {
      session = fromSnapshot(recorded.event.document, accountId, sessionId, facts);
      continue;
    }
    session.dateCreated ??= recorded.occurredAt;
    apply(session, facts, recorded.event, recorded.occurredAt, recorded.actor);
    if (session.dateLastModified === undefined || Date.parse(recorded.occurredAt) >= Date.parse(session.dateLastModified)) {
      session.dateLastModified = recorded.occurredAt;
      session.lastModifiedBy = recorded.actor ?? 'system';
    }
  }
  if (facts.endedHere) settle(session, facts, policy);
  return session;
}

function fromSnapshot(document: SessionInfo, accountId: string, sessionId: string, facts: Facts): Working {
  const copy = structuredClone(document) as Working;
  copy.id = sessionId;
  copy.accountId = accountId;
  copy.log ??= [];
  copy.members ??= [];
  facts.opened = true;
  facts.agentConnected = copy.answeredById !== undefined || copy.members.some((m) => m.role === 'Agent' && m.callState === 'Connected');
  facts.queued = copy.queueState !== undefined && copy.queueState !== 'None';
  if (copy.ended && copy.callSid) facts.legs.set(copy.callSid, 'completed');
  return copy;
}

/**
 * A deep copy of a value of an event, which is JSON data (it is stored as JSON): the session must
 * not share objects with events, which the cached writer keeps and folds again. ~0.3 µs for a
 * breadcrumb where structuredClone took ~3 µs, once per fold (bench/ingest profile: ~1% of CPU).
 */
function copyOf<T>(value: T): T {
  if (Array.isArray(value)) return value.map(copyOf) as T;
  if (value === null || typeof value !== 'object') return value;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) copy[key] = copyOf((value as Record<string, unknown>)[key]);
  return copy as T;
}

function log(session: Working, date: string, message: string) {
  session.log.push({ date, message });
}

function memberFor(session: Working, callSid: string): SessionMemberInfo {
  let member = session.members.find((m) => m.callSid === callSid);
  if (!member) {
    member = { identity: callSid, isOriginalMember: false, applicationData: {}, callState: 'None', role: 'None', callSid, muted: false };
    session.members.push(member);
  }
  return member;
}

function describe(party: Party | undefined, member: SessionMemberInfo): string {
  return party?.displayName ?? member.displayName ?? party?.identity ?? member.identity ?? 'a participant';
}

/**
 * The command that caused an effect Twilio reports at `at` on leg `callSid`: the latest such
 * command on that leg (or on the session, for one that named no leg) shortly before it. Pure: it
 * looks at the set of commands, not at what was folded so far.
 */
function causeOf(facts: Facts, command: ControlCommand, callSid: string | undefined, at: string): Command | undefined {
  const list = facts.commands.get(command);
  if (!list) return undefined;
  const when = Date.parse(at);
  // The first command past the window's end, then back to the latest one on that leg inside it.
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]!.at <= when + CALLBACK_RESOLUTION_MS) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo - 1; i >= 0 && list[i]!.at >= when - ATTRIBUTION_WINDOW_MS; i--) {
    const c = list[i]!;
    if (c.request.callSid === undefined || callSid === undefined || c.request.callSid === callSid) return c;
  }
  return undefined;
}

const byWhom = (cause: Command | undefined) => (cause ? ` by ${cause.request.actorName ?? cause.actor ?? 'system'}` : '');

const COMMAND_LABELS: Record<ControlCommand, string> = {
  end: 'Hang-up',
  hold: 'Hold',
  unhold: 'Taking off hold',
  mute: 'Mute',
  unmute: 'Unmute',
  redirect: 'Transfer',
  conference: 'Conference',
  addMember: 'Adding a conference member',
  reject: 'Reject',
  record: 'Recording',
  outgoing: 'Outgoing call',
};

function commandLine(request: ControlRequest, actor: string | null): string {
  const who = request.actorName ?? actor ?? 'system';
  const target = request.destination ? ` to ${request.destination}` : request.callSid ? ` of ${request.callSid}` : '';
  const what = `${COMMAND_LABELS[request.command]}${target}${request.reason === 'Transferring' ? ' (Transferring)' : ''}`;
  if (request.outcome === 'failed') return `${what} requested by ${who}: refused by Twilio${request.twilioCode ? ` (${request.twilioCode})` : ''}`;
  if (request.outcome === 'unknown') return `${what} requested by ${who}: Twilio did not answer; waiting for its report`;
  return `${what} requested by ${who}`;
}

function merge(member: SessionMemberInfo, party: Party | undefined) {
  if (!party) return;
  if (party.identity !== undefined) member.identity = party.identity;
  if (party.endpointId !== undefined) member.endpointId = party.endpointId;
  if (party.displayName !== undefined) member.displayName = party.displayName;
  if (party.avatarUrl !== undefined) member.avatarUrl = party.avatarUrl;
  if (party.role !== undefined && party.role !== 'None') member.role = party.role;
}

const isParentLeg = (session: Working, event: { callSid: string; parentCallSid?: string; memberLeg?: boolean }) =>
  event.parentCallSid === undefined && event.memberLeg !== true && (session.callSid === undefined || session.callSid === event.callSid);

function apply(session: Working, facts: Facts, event: Exclude<SessionEvent, { type: 'SessionImported' }>, at: string, actor: string | null) {
  switch (event.type) {
    case 'SessionStarted':
      return started(session, facts, event, at);
    case 'CallLegStatus': {
      const previous = facts.legs.get(event.callSid);
      if (previous && TERMINAL_LEG_STATUSES.has(previous)) {
        log(session, at, `Ignored ${event.status} for ${event.callSid}: the leg had already ended (${previous})`);
        return;
      }
      facts.legs.set(event.callSid, event.status);
      if (isParentLeg(session, event)) return parentLeg(session, facts, event, at);
      return childLeg(session, facts, event, at);
    }
    case 'QueueEntered':
      facts.queued = true;
      session.queueState = 'Queued';
      if (event.ringQueueId !== undefined) session.ringQueueId = event.ringQueueId;
      log(session, at, `Queued${event.queueName ? ` in ${event.queueName}` : ''}`);
      return;
    case 'ConferenceStarted':
      session.conferenceSid = event.conferenceSid;
      log(session, at, 'Conference started');
      return;
    case 'ConferenceEnded':
      session.conferenceSid = event.conferenceSid;
      for (const member of session.members) if (member.callState !== 'None' && member.callState !== 'Ringing') member.callState = 'None';
      log(session, at, `Conference ended${event.reason ? ` (${event.reason})` : ''}`);
      return;
    case 'ParticipantJoined':
    case 'ParticipantLeft':
    case 'ParticipantHeld':
    case 'ParticipantUnheld':
    case 'ParticipantMuted':
    case 'ParticipantUnmuted':
      return participant(session, facts, event, at);
    case 'SessionPatched':
      return patched(session, facts, event, at, actor);
    case 'LogAppended':
      log(session, at, event.message);
      return;
    case 'ControlRequested':
      if (event.command === 'addMember' && event.createdCallSid !== undefined && event.outcome === 'accepted') session.mostRecentParticipantCallSid ??= event.createdCallSid;
      log(session, at, commandLine(event, actor));
      return;
    case 'RecordingStatus': {
      const previous = facts.recordings.get(event.recordingSid);
      if (!advancesRecording(previous, event.status)) {
        log(session, at, `Ignored recording ${event.status} for ${event.recordingSid}: it is already ${previous}`);
        return;
      }
      facts.recordings.set(event.recordingSid, event.status);
      log(session, at, event.status === 'completed' ? `Recording available${event.recordingUrl ? ` at ${event.recordingUrl}` : ''}` : event.status === 'in-progress' ? 'Recording started' : `Recording ${event.status}`);
      return;
    }
    case 'HoldQueueEntered':
    case 'HoldQueueLeft':
      return holdQueue(session, facts, event, at);
    case 'MemberJoined': {
      const identity = event.party.identity ?? 'unknown';
      let member = session.members.find((m) => m.identity === identity && m.callSid === undefined);
      if (!member) {
        member = { identity, isOriginalMember: session.members.length === 0, applicationData: {}, callState: 'Connected', role: 'None', muted: false };
        session.members.push(member);
      }
      merge(member, event.party);
      member.callState = 'Connected';
      if (member.role === 'Agent') agentConnected(session, facts, member);
      log(session, at, `${describe(event.party, member)} joined`);
      return;
    }
    case 'MemberLeft': {
      const member = session.members.find((m) => m.identity === event.party.identity && m.callSid === undefined);
      if (member) member.callState = 'None';
      log(session, at, `${member?.displayName ?? event.party.displayName ?? event.party.identity ?? 'A member'} left`);
      return;
    }
    case 'MessageReceived':
    case 'MessageSent':
    case 'MessageForwarded':
      return message(session, facts, event, at);
    case 'MessageStatus':
      return messageStatus(session, facts, event, at);
    case 'SessionEnded':
      if (session.ended) return;
      if (event.outcome !== undefined) facts.explicitOutcome = event.outcome;
      end(session, facts, at);
      log(session, at, event.actorName ? `Ended by ${event.actorName}` : 'Session ended');
      return;
  }
}

function started(session: Working, facts: Facts, event: SessionOpening, at: string) {
  const opening = !facts.opened;
  facts.opened = true;
  for (const [key, value] of Object.entries(event)) {
    // Only objects (the breadcrumb) need a copy the session may own; structuredClone of every
    // string was ~6% of ingest's CPU (bench/ingest profile): each parent-leg status re-applies the opening.
    if (key !== 'type' && value !== undefined) (session as Record<string, unknown>)[key] = typeof value === 'object' ? copyOf(value) : value;
  }
  session.dialState ??= 'None';
  session.callState ??= event.channel === 'Voice' ? 'Ringing' : 'Connected';
  session.queueState ??= 'None';
  session.holdReason ??= 'None';
  session.ended ??= false;
  session.wasMissed ??= false;
  session.consoleData ??= '';
  if (event.channel === 'Voice' && event.callSid) {
    const caller = memberFor(session, event.callSid);
    caller.isOriginalMember = true;
    caller.role = 'Caller';
    caller.identity = event.direction === 'Incoming' ? event.fromAddress ?? event.callSid : event.toAddress ?? event.callSid;
    if (event.direction === 'Incoming' && event.fromName !== undefined) caller.displayName = event.fromName;
    if (caller.callState === 'None' && !session.ended) caller.callState = 'Ringing';
    if (event.direction === 'Outgoing' && !session.ended && session.callState === 'Ringing') session.dialState = 'Active';
  }
  if (!opening) return;
  const what = event.channel === 'Voice' ? 'call' : event.channel === 'Chat' ? 'chat' : 'fax';
  const from = event.fromAddress ? ` from ${event.fromAddress}` : '';
  const to = event.toAddress ? ` to ${event.toAddress}` : '';
  log(session, at, `${event.direction === 'Incoming' ? 'Incoming' : 'Outgoing'} ${what}${from}${to}`);
}

const quoted = (text: string) => (text.length > 200 ? `"${text.slice(0, 200)}…"` : `"${text}"`);

/** A text in or out: opens the session if it is the first event, logs the text (the log search finds it). */
function message(session: Working, facts: Facts, event: Extract<SessionEvent, { type: 'MessageReceived' | 'MessageSent' | 'MessageForwarded' }>, at: string) {
  if (!facts.opened && event.opening) started(session, facts, event.opening, at);
  session.channel ??= 'Chat';
  const media = event.media?.length ? ` (${event.media.length} media: ${event.media.map((m) => m.contentType ?? 'unknown').join(', ')})` : '';
  const text = event.body ? ` ${quoted(event.body)}` : '';
  if (event.status) advanceMessage(facts, event.messageSid, event.status);
  if (event.type === 'MessageReceived') {
    log(session, at, `Message from ${event.member ? `chat member ${event.sender ?? event.from}` : event.from}:${text}${media}`);
    return;
  }
  if (event.relayOf) {
    log(session, at, `Message ${event.relayOf} relayed to ${event.to}`);
    return;
  }
  const by = event.sender ? ` by ${event.sender}` : '';
  log(session, at, `${event.invitation ? 'Invitation' : 'Message'} to ${event.to}${by}:${text}${media}`);
}

function advanceMessage(facts: Facts, sid: string, status: string): boolean {
  const previous = facts.messages.get(sid);
  if (previous !== undefined && rankOfStatus(previous) >= rankOfStatus(status)) return false;
  facts.messages.set(sid, status);
  return true;
}

function messageStatus(session: Working, facts: Facts, event: Extract<SessionEvent, { type: 'MessageStatus' }>, at: string) {
  const previous = facts.messages.get(event.messageSid);
  if (!advanceMessage(facts, event.messageSid, event.status)) {
    log(session, at, `Ignored ${event.status} for message ${event.messageSid}: it is already ${previous}`);
    return;
  }
  log(session, at, `Message ${event.messageSid} ${event.status}${event.errorCode ? ` (error ${event.errorCode})` : ''}`);
}

function parentLeg(session: Working, facts: Facts, event: Extract<SessionEvent, { type: 'CallLegStatus' }>, at: string) {
  if (!facts.opened && event.opening) started(session, facts, event.opening, at);
  session.callSid ??= event.callSid;
  session.channel ??= 'Voice';
  facts.parentStatus = event.status;
  const caller = memberFor(session, event.callSid);
  caller.isOriginalMember = true;
  caller.role = 'Caller';
  if (event.answeredBy !== undefined && event.answeredBy !== 'human' && event.answeredBy !== 'unknown') facts.answeredByMachine = true;
  if (event.recordingUrl !== undefined) facts.voicemail = true;
  if (session.ended) {
    log(session, at, `Call ${event.status} after the session ended`);
    return;
  }
  switch (event.status) {
    case 'queued':
    case 'initiated':
    case 'ringing':
      session.callState = 'Ringing';
      if (caller.callState === 'None') caller.callState = 'Ringing';
      if (session.direction === 'Outgoing') session.dialState = 'Active';
      log(session, at, event.status === 'ringing' ? 'Ringing' : `Call ${event.status}`);
      return;
    case 'in-progress':
      session.callState = 'Connected';
      session.dialState = 'None';
      caller.callState = 'Connected';
      log(session, at, event.answeredBy ? `Answered (${event.answeredBy})` : 'Call connected');
      return;
    default:
      if (event.recordingUrl !== undefined) log(session, at, 'Voicemail recorded');
      end(session, facts, at);
      log(session, at, `Call ended (${event.status}${event.durationSeconds !== undefined ? `, ${event.durationSeconds}s` : ''})${byWhom(causeOf(facts, 'end', undefined, at))}`);
  }
}

function childLeg(session: Working, facts: Facts, event: Extract<SessionEvent, { type: 'CallLegStatus' }>, at: string) {
  const member = memberFor(session, event.callSid);
  merge(member, event.party);
  if (member.role === 'None') member.role = 'Transfer';
  const who = describe(event.party, member);
  switch (event.status) {
    case 'queued':
    case 'initiated':
    case 'ringing':
      if (member.callState === 'None') member.callState = 'Ringing';
      if (!session.ended) {
        session.dialState = 'Active';
        if (session.queueState === 'Queued') session.queueState = 'Ringing';
      }
      log(session, at, event.status === 'ringing' ? `Ringing ${who}` : `Dialling ${who}`);
      return;
    case 'in-progress':
      member.callState = 'Connected';
      if (!session.ended) {
        session.dialState = anyRinging(session) ? 'Active' : 'None';
        session.callState = session.callState === 'Hold' ? 'Hold' : 'Connected';
      }
      if (member.role === 'Agent') agentConnected(session, facts, member);
      log(session, at, member.role === 'Agent' ? `Answered by ${who}` : `${who} answered`);
      return;
    default:
      member.callState = 'None';
      if (!session.ended) session.dialState = anyRinging(session) ? 'Active' : 'None';
      log(session, at, event.status === 'completed' ? `${who} hung up` : `${who} did not answer (${event.status})`);
  }
}

const anyRinging = (session: Working) => session.members.some((m) => m.callState === 'Ringing' && m.role !== 'Caller');

function agentConnected(session: Working, facts: Facts, member: SessionMemberInfo) {
  facts.agentConnected = true;
  if (session.answeredById === undefined && member.endpointId !== undefined) {
    session.answeredById = member.endpointId;
    session.queueMemberId = member.endpointId;
  }
  if (session.answeredByName === undefined && member.displayName !== undefined) session.answeredByName = member.displayName;
  if (!session.ended && session.queueState !== undefined && session.queueState !== 'None' && session.queueState !== 'Hold') session.queueState = 'Connected';
}

function participant(
  session: Working,
  facts: Facts,
  event: Extract<SessionEvent, { type: 'ParticipantJoined' | 'ParticipantLeft' | 'ParticipantHeld' | 'ParticipantUnheld' | 'ParticipantMuted' | 'ParticipantUnmuted' }>,
  at: string,
) {
  session.conferenceSid = event.conferenceSid;
  const member = memberFor(session, event.callSid);
  merge(member, event.party);
  const isCaller = member.role === 'Caller';
  const who = describe(event.party, member);
  switch (event.type) {
    case 'ParticipantJoined':
      session.mostRecentParticipantCallSid = event.callSid;
      member.callState = event.hold ? 'Hold' : 'Connected';
      if (event.muted !== undefined) member.muted = event.muted;
      if (member.role === 'Agent') agentConnected(session, facts, member);
      log(session, at, `${who} joined the conference`);
      return;
    case 'ParticipantLeft':
      member.callState = 'None';
      log(session, at, `${who} left the conference${event.reason ? ` (${event.reason})` : ''}`);
      return;
    case 'ParticipantHeld': {
      member.callState = 'Hold';
      const cause = causeOf(facts, 'hold', event.callSid, at);
      if (isCaller && !session.ended) {
        session.callState = 'Hold';
        session.holdReason = cause?.request.reason ?? (session.members.some((m) => m.role === 'Transfer' && m.callState !== 'None') ? 'Transferring' : 'None');
        session.holdQueueName = event.friendlyName;
        if (cause?.actor) session.heldByUserId = cause.actor;
        if (session.queueState !== undefined && session.queueState !== 'None') session.queueState = 'Hold';
      }
      log(session, at, `${who} placed on hold${isCaller && session.holdReason === 'Transferring' ? ' (Transferring)' : ''}${byWhom(cause)}`);
      return;
    }
    case 'ParticipantUnheld':
      member.callState = 'Connected';
      if (isCaller && !session.ended) {
        session.callState = 'Connected';
        session.holdReason = 'None';
        delete session.holdQueueName;
        delete session.heldByUserId;
        if (session.queueState === 'Hold') session.queueState = 'Connected';
      }
      log(session, at, `${who} taken off hold${byWhom(causeOf(facts, 'unhold', event.callSid, at))}`);
      return;
    case 'ParticipantMuted':
      member.muted = true;
      log(session, at, `${who} muted${byWhom(causeOf(facts, 'mute', event.callSid, at))}`);
      return;
    case 'ParticipantUnmuted':
      member.muted = false;
      log(session, at, `${who} unmuted${byWhom(causeOf(facts, 'unmute', event.callSid, at))}`);
      return;
  }
}

/** Queue results after which the call is still live and off hold (a hang-up ends it through its own status). */
const OFF_HOLD_RESULTS = new Set(['redirected', 'redirected-from-bridged', 'bridged', 'bridging-in-process', 'leave']);

/** A call parked in a hold queue outside a conference, or leaving it: as a conference hold, with the queue's name. */
function holdQueue(session: Working, facts: Facts, event: Extract<SessionEvent, { type: 'HoldQueueEntered' | 'HoldQueueLeft' }>, at: string) {
  const stage = facts.holds.get(event.holdId);
  if (stage === 'left' || (stage === 'entered' && event.type === 'HoldQueueEntered')) return;
  facts.holds.set(event.holdId, event.type === 'HoldQueueEntered' ? 'entered' : 'left');
  const member = memberFor(session, event.callSid);
  const isCaller = member.role === 'Caller';
  const who = describe(undefined, member);
  if (event.type === 'HoldQueueEntered') {
    const cause = causeOf(facts, 'hold', event.callSid, at);
    if (!session.ended && member.callState !== 'None') member.callState = 'Hold';
    if (isCaller && !session.ended) {
      session.callState = 'Hold';
      session.holdReason = cause?.request.reason ?? 'None';
      session.holdQueueName = event.queueName;
      if (cause?.actor) session.heldByUserId = cause.actor;
      if (session.queueState !== undefined && session.queueState !== 'None') session.queueState = 'Hold';
    }
    log(session, at, `${who} placed on hold${isCaller && session.holdReason === 'Transferring' ? ' (Transferring)' : ''} in ${event.queueName}${byWhom(cause)}`);
    return;
  }
  const result = event.result ?? 'redirected';
  if (result === 'hangup') {
    log(session, at, `${who} hung up while on hold`);
    return;
  }
  if (!session.ended && member.callState === 'Hold') member.callState = 'Connected';
  if (isCaller && !session.ended && session.holdQueueName === event.queueName) {
    session.callState = 'Connected';
    session.holdReason = 'None';
    delete session.holdQueueName;
    delete session.heldByUserId;
    if (session.queueState === 'Hold') session.queueState = 'Connected';
  }
  log(session, at, OFF_HOLD_RESULTS.has(result) ? `${who} taken off hold${byWhom(causeOf(facts, 'unhold', event.callSid, at))}` : `${who} left ${event.queueName} (${result})`);
}

function patched(session: Working, facts: Facts, event: Extract<SessionEvent, { type: 'SessionPatched' }>, at: string, actor: string | null) {
  const changes: string[] = [];
  if (event.consoleData !== undefined) {
    session.consoleData = event.consoleData;
    changes.push('console data');
  }
  if (event.callState !== undefined && !session.ended) {
    session.callState = event.callState;
    if (event.callState === 'Hold' && actor) session.heldByUserId = actor;
    changes.push(`call state ${event.callState}`);
  }
  if (event.holdReason !== undefined) {
    session.holdReason = event.holdReason;
    changes.push(`hold reason ${event.holdReason}`);
  }
  if (event.queueState !== undefined) {
    session.queueState = event.queueState;
    if (event.queueState !== 'None') facts.queued = true;
    changes.push(`queue state ${event.queueState}`);
  }
  log(session, at, `Updated ${changes.join(', ') || 'nothing'} by ${actor ?? 'system'}`);
}

function end(session: Working, facts: Facts, at: string) {
  session.ended = true;
  session.dateCompleted = at;
  session.callState = 'Disconnected';
  session.dialState = 'None';
  if (session.queueState !== undefined && session.queueState !== 'None') session.queueState = 'Disconnected';
  if (session.holdReason !== undefined) session.holdReason = 'None';
  delete session.holdQueueName;
  delete session.heldByUserId;
  for (const member of session.members) member.callState = 'None';
  facts.endedHere = true;
}

/** Outcome and wasMissed, once the session has ended (docs/session-states.md). */
function settle(session: Working, facts: Facts, policy: FoldPolicy) {
  session.wasMissed = false;
  if (facts.explicitOutcome !== undefined) {
    session.outcome = facts.explicitOutcome;
    return;
  }
  if (session.channel !== undefined && session.channel !== 'Voice') {
    session.outcome = 'Completed';
    return;
  }
  if (session.direction === 'Outgoing') {
    const byStatus: Partial<Record<LegStatus, string>> = { busy: 'Busy', 'no-answer': 'NoAnswer', failed: 'Failed', canceled: 'Canceled' };
    session.outcome = byStatus[facts.parentStatus ?? 'completed'] ?? (facts.answeredByMachine ? 'Machine' : 'Answered');
    return;
  }
  if (facts.agentConnected) {
    session.outcome = 'Answered';
    return;
  }
  const started = Date.parse(session.dateCreated ?? '');
  const ended = Date.parse(session.dateCompleted ?? '');
  if (!facts.voicemail && ended - started < policy.shortAbandonSeconds * 1000) {
    session.outcome = 'ShortAbandon';
    return;
  }
  session.wasMissed = true;
  session.outcome = facts.voicemail ? 'Voicemail' : facts.queued ? 'Abandoned' : 'Missed';
}
