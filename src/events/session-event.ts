import type { SessionInfo } from '../model/session-info.js';

/** The call-leg statuses Twilio and the neutral vocabulary report (telephony-events.md §1(a)). */
export const LEG_STATUSES = ['queued', 'initiated', 'ringing', 'in-progress', 'completed', 'busy', 'no-answer', 'failed', 'canceled'] as const;
export type LegStatus = (typeof LEG_STATUSES)[number];
export const TERMINAL_LEG_STATUSES: ReadonlySet<LegStatus> = new Set(['completed', 'busy', 'no-answer', 'failed', 'canceled']);
export const isLegStatus = (value: string): value is LegStatus => (LEG_STATUSES as readonly string[]).includes(value);

export type Channel = 'Voice' | 'Chat' | 'Fax';
export type Direction = 'Incoming' | 'Outgoing';
export type MemberRole = 'None' | 'Caller' | 'Agent' | 'Transfer';

/** Who a leg or member is, as the directory resolved it when the event was ingested. */
export interface Party {
  readonly identity?: string;
  readonly endpointId?: string;
  readonly displayName?: string;
  readonly avatarUrl?: string;
  readonly role?: MemberRole;
}

/**
 * Everything that can happen to a session, as one discriminated union (style habit 11). Events are
 * facts already enriched from the directory at ingest, so folding them needs nothing but the events.
 */
export type SessionEvent =
  /** A snapshot (import, demo seed): the fold starts from this document. */
  | { readonly type: 'SessionImported'; readonly document: SessionInfo }
  | ({ readonly type: 'SessionStarted' } & SessionOpening)
  | {
      readonly type: 'CallLegStatus';
      readonly callSid: string;
      /** Set for a child leg (a `<Dial>` to an agent or a transfer target). */
      readonly parentCallSid?: string;
      /**
       * A leg of another call's session that Twilio reports without a ParentCallSid (dialled in
       * through the Participants API, named by `?sessionId=`): a member, never the session's own call,
       * whatever order its events fold in.
       */
      readonly memberLeg?: boolean;
      readonly status: LegStatus;
      readonly party?: Party;
      readonly answeredBy?: string;
      readonly durationSeconds?: number;
      readonly recordingUrl?: string;
      /**
       * What a parent leg's callback tells about the call, so a call that never reached the
       * incoming-call webhook (API-originated, or a lost webhook) still opens its session: the first
       * such event in fold order opens it.
       */
      readonly opening?: SessionOpening;
    }
  | { readonly type: 'QueueEntered'; readonly queueName?: string; readonly ringQueueId?: string }
  | { readonly type: 'ConferenceStarted' | 'ConferenceEnded'; readonly conferenceSid: string; readonly friendlyName?: string; readonly reason?: string }
  | {
      readonly type: 'ParticipantJoined' | 'ParticipantLeft' | 'ParticipantHeld' | 'ParticipantUnheld' | 'ParticipantMuted' | 'ParticipantUnmuted';
      readonly conferenceSid: string;
      readonly friendlyName?: string;
      readonly callSid: string;
      readonly party?: Party;
      readonly hold?: boolean;
      readonly muted?: boolean;
      readonly reason?: string;
    }
  | {
      readonly type: 'SessionPatched';
      readonly consoleData?: string;
      readonly callState?: NonNullable<SessionInfo['callState']>;
      readonly holdReason?: NonNullable<SessionInfo['holdReason']>;
      readonly queueState?: NonNullable<SessionInfo['queueState']>;
    }
  | { readonly type: 'LogAppended'; readonly message: string }
  /**
   * A call-control command as Switchboard sent it to Twilio: who (the envelope's actor), what,
   * and how Twilio answered. It changes no state by itself: the session changes when Twilio's
   * callbacks (or a reconciliation) report the effect (docs/session-states.md).
   */
  | ({ readonly type: 'ControlRequested' } & ControlRequest)
  | {
      readonly type: 'RecordingStatus';
      readonly callSid?: string;
      readonly recordingSid: string;
      readonly status: string;
      readonly recordingUrl?: string;
      readonly durationSeconds?: number;
    }
  /**
   * A call parked in (or leaving) the hold queue HoldSession put it in, outside a conference
   * (`<Enqueue>`): entered when Twilio first asks for the queue's wait music, left when it reports
   * the call's QueueResult or fetches the TwiML that takes it back (docs/session-states.md).
   * `holdId` names one hold, from the command to its end.
   */
  | {
      readonly type: 'HoldQueueEntered' | 'HoldQueueLeft';
      readonly callSid: string;
      readonly queueName: string;
      readonly queueSid?: string;
      readonly holdId: string;
      /** Twilio's QueueResult (left): redirected, hangup, bridged, queue-full, error, … */
      readonly result?: string;
    }
  | { readonly type: 'MemberJoined' | 'MemberLeft'; readonly party: Party }
  /** `actorName`: who ended it through the API (EndSession on a chat), for the log. */
  | { readonly type: 'SessionEnded'; readonly outcome?: string; readonly actorName?: string }
  /**
   * A text (SMS/MMS) of a chat session: received from the other party (Twilio's inbound webhook)
   * or sent through Twilio (recorded once Twilio accepted it). The first one in fold order opens
   * the session when nothing else did (`opening`), as a parent leg's callback does for a call.
   */
  | ({ readonly type: 'MessageReceived' | 'MessageSent' } & ChatMessage)
  /**
   * A text Switchboard sent to keep a chat's participants in step rather than to the party: an
   * invitation to a cell member, or a copy of a chat text relayed to the others (`relayOf`). Not a
   * message of the conversation: lists and transcripts leave it out, the log shows it.
   */
  | ({ readonly type: 'MessageForwarded' } & ChatMessage)
  /** Twilio's status callback for a message it was asked to send (docs/session-states.md: the furthest status wins). */
  | { readonly type: 'MessageStatus'; readonly messageSid: string; readonly status: string; readonly errorCode?: string };

/** One medium of an MMS: where Twilio keeps it and its content type. */
export interface MessageMedia {
  readonly url: string;
  readonly contentType?: string;
}

export interface ChatMessage {
  /** Twilio's MessageSid (SM…/MM…): the message's id and its dedupe key. */
  readonly messageSid: string;
  readonly from: string;
  readonly to: string;
  readonly body: string;
  readonly media?: readonly MessageMedia[];
  /** Who sent it: the agent's name for an outgoing message, the sender's address otherwise. */
  readonly sender?: string;
  /** The Twilio status when recorded (`queued` for a send, `received` for an inbound text). */
  readonly status?: string;
  /** An invitation texted by InviteChatMember, not part of the conversation with the other party. */
  readonly invitation?: boolean;
  /** A received text from a cell number invited to the chat (InviteChatMember), not from the party. */
  readonly member?: boolean;
  /** The MessageSid of the text this one relays to another participant. */
  readonly relayOf?: string;
  readonly opening?: SessionOpening;
}

export const CONTROL_COMMANDS = ['end', 'hold', 'unhold', 'mute', 'unmute', 'redirect', 'conference', 'addMember', 'reject', 'record', 'outgoing'] as const;
export type ControlCommand = (typeof CONTROL_COMMANDS)[number];

export interface ControlRequest {
  readonly command: ControlCommand;
  /** The leg acted on, when the command names one. */
  readonly callSid?: string;
  /** Transfer, member or outbound destination. */
  readonly destination?: string;
  readonly reason?: 'None' | 'Transferring';
  /** The caller's name as the directory had it, for the log ("Placed on hold by Dana Agent"). */
  readonly actorName?: string;
  /** accepted: Twilio took it; failed: Twilio refused (nothing changed); unknown: no answer came. */
  readonly outcome: 'accepted' | 'failed' | 'unknown';
  readonly twilioCode?: string;
  /** A leg the command created (a conference member dialled, an outbound call). */
  readonly createdCallSid?: string;
  /** A hold outside a conference: the hold-queue stay it starts (`hold`), so unhold can name it. */
  readonly holdId?: string;
  /** The recording a `record` command started (Twilio's 201): running until its callbacks say it stopped. */
  readonly recordingSid?: string;
}

/** What opens a session: its channel, direction, addresses and directory facts. */
export interface SessionOpening {
  readonly channel: Channel;
  readonly direction: Direction;
  readonly callSid?: string;
  readonly fromAddress?: string;
  readonly toAddress?: string;
  readonly fromName?: string;
  readonly displayName?: string;
  readonly accountName?: string;
  readonly customerId?: string;
  readonly customerName?: string;
  readonly customerBreadcrumb?: readonly { readonly id: string; readonly name: string }[];
  readonly endpointId?: string;
  readonly endpointName?: string;
  readonly destination?: string;
}

export type SessionEventType = SessionEvent['type'];

export const SESSION_EVENT_TYPES: readonly SessionEventType[] = Object.freeze([
  'SessionImported',
  'SessionStarted',
  'CallLegStatus',
  'QueueEntered',
  'ConferenceStarted',
  'ConferenceEnded',
  'ParticipantJoined',
  'ParticipantLeft',
  'ParticipantHeld',
  'ParticipantUnheld',
  'ParticipantMuted',
  'ParticipantUnmuted',
  'SessionPatched',
  'LogAppended',
  'ControlRequested',
  'RecordingStatus',
  'HoldQueueEntered',
  'HoldQueueLeft',
  'MemberJoined',
  'MemberLeft',
  'SessionEnded',
  'MessageReceived',
  'MessageSent',
  'MessageForwarded',
  'MessageStatus',
]);

/** An event with its ledger envelope: where it belongs, how it is deduplicated, when it happened. */
export interface RecordedEvent {
  readonly accountId: string;
  readonly sessionId: string;
  /** Unique per account: a retry carries the same key and is stored once. */
  readonly dedupeKey: string;
  /** `twilio`, `api`, `import`, or the neutral source name. */
  readonly source: string;
  /** ISO-8601 UTC, the provider's time of the event. */
  readonly occurredAt: string;
  readonly sequence: number | null;
  /** Who caused it (a user id for API commands); provider events have none. */
  readonly actor: string | null;
  readonly event: SessionEvent;
  /** Ledger position; set once stored. */
  readonly seq?: number;
}

/**
 * Events that open a session sort before anything at the same instant, and a snapshot before
 * everything (it is where the fold starts), so second-resolution provider clocks still fold the same way.
 */
export function rankOf(event: SessionEvent): number {
  switch (event.type) {
    case 'SessionImported':
      return 0;
    case 'SessionStarted':
      return 1;
    case 'SessionEnded':
      return 3;
    case 'CallLegStatus':
      return TERMINAL_LEG_STATUSES.has(event.status) ? 3 : 2;
    default:
      return 2;
  }
}

/**
 * The fold order: snapshot first, then provider time, then phase, then the provider's sequence, then
 * the dedupe key. The last tiebreak is the dedupe key rather than arrival order so that any
 * permutation of the same events folds to the same session.
 */
export function compareEvents(a: RecordedEvent, b: RecordedEvent): number {
  const snapA = a.event.type === 'SessionImported' ? 0 : 1;
  const snapB = b.event.type === 'SessionImported' ? 0 : 1;
  if (snapA !== snapB) return snapA - snapB;
  if (a.occurredAt !== b.occurredAt) return a.occurredAt < b.occurredAt ? -1 : 1;
  const rank = rankOf(a.event) - rankOf(b.event);
  if (rank !== 0) return rank;
  const seqA = a.sequence ?? -1;
  const seqB = b.sequence ?? -1;
  if (seqA !== seqB) return seqA - seqB;
  return a.dedupeKey < b.dedupeKey ? -1 : a.dedupeKey > b.dedupeKey ? 1 : 0;
}
