import type { EndpointInfo } from '../../directory/endpoint-operations.js';
import type { SessionInfo, SessionLogInfo } from '../../model/session-info.js';

/** An agent as the board counts them: one of the account's User endpoints. */
export type AgentEndpoint = Pick<EndpointInfo, 'id' | 'identity' | 'displayName'>;

export interface AgentCounts {
  /** The account's User endpoints. */
  readonly total: number;
  /** Names of the agents with a voice leg connected or on hold in a live session, sorted. */
  readonly onCall: string[];
  /** The agents not on a call. */
  readonly free: number;
  /**
   * An agent's leg (role Agent, or a `client:` identity) is connected or held and is none of the
   * agents: one added since the list was read (the console reads it again).
   */
  readonly unknownOnCall: boolean;
}

export interface QueueCounts {
  readonly key: string;
  readonly name: string;
  queued: number;
  ringing: number;
  connected: number;
  onHold: number;
}

export interface WallboardStats {
  /** One row per queue (ringQueueId) or, for calls in no queue, per endpoint; busiest first. */
  readonly queues: QueueCounts[];
  readonly totals: QueueCounts;
  /** The longest time a live call has waited (queued or ringing), ms; 0 when none waits. */
  readonly longestWaitMs: number;
  readonly answered: number;
  readonly missed: number;
  readonly abandoned: number;
  /** Answered within the service level over every incoming call settled today (0–1), or undefined with none. */
  readonly serviceLevel: number | undefined;
  /** Calls created in each local hour, today and yesterday. */
  readonly perHourToday: number[];
  readonly perHourYesterday: number[];
  /** The account's agents on a call and free; undefined while the agents are not known. */
  readonly agents: AgentCounts | undefined;
}

type Live = 'queued' | 'ringing' | 'connected' | 'onHold';

/** Where a live session stands on the board; hold wins, since a held call is also "connected". */
export function liveState(s: SessionInfo): Live | undefined {
  if (s.ended) return undefined;
  if (s.callState === 'Hold' || s.queueState === 'Hold') return 'onHold';
  if (s.queueState === 'Queued') return 'queued';
  if (s.callState === 'Ringing' || s.queueState === 'Ringing') return 'ringing';
  if (s.callState === 'Connected') return 'connected';
  return undefined;
}

/**
 * When an agent answered: the fold logs "Answered by …" at that moment (docs/session-states.md),
 * and SessionInfo has no answer date of its own.
 */
export function answeredAt(s: SessionInfo): number | undefined {
  const line = answeredLine(s);
  return line?.date ? Date.parse(line.date) : undefined;
}

export function answeredLine(s: SessionInfo): SessionLogInfo | undefined {
  return s.log?.find((l) => l.message?.startsWith('Answered by') || l.message?.endsWith('joined the conference'));
}

const ON_A_CALL = new Set(['Connected', 'Hold']);

/**
 * Switchboard holds no presence (no "available"/"away"), so an agent is one of the account's User
 * endpoints, on a call while a live voice session has a leg of theirs connected or held (a member
 * with their endpoint id or client identity, or the answering endpoint of a session without
 * members), and free otherwise. A ringing offer does not make an agent busy: they have not picked up.
 */
export function agentCounts(sessions: Iterable<SessionInfo>, agents: readonly AgentEndpoint[]): AgentCounts {
  const byId = new Map(agents.flatMap((a) => (a.id ? [[a.id, a] as const] : [])));
  const byIdentity = new Map(agents.flatMap((a) => (a.identity ? [[a.identity, a] as const] : [])));
  const busy = new Set<AgentEndpoint>();
  let unknownOnCall = false;
  for (const s of sessions) {
    if (s.ended || s.channel === 'Chat') continue;
    const members = s.members ?? [];
    for (const m of members) {
      if (!ON_A_CALL.has(m.callState ?? '')) continue;
      const agent = (m.endpointId && byId.get(m.endpointId)) || (m.identity && byIdentity.get(m.identity));
      if (agent) busy.add(agent);
      else if (m.role === 'Agent' || m.identity?.startsWith('client:')) unknownOnCall = true;
    }
    const answered = s.answeredById && byId.get(s.answeredById);
    if (answered && !members.length && ON_A_CALL.has(s.callState ?? '')) busy.add(answered);
  }
  return { total: byId.size, onCall: [...busy].map((a) => a.displayName ?? a.identity ?? a.id ?? '').sort(), free: byId.size - busy.size, unknownOnCall };
}

const startOfDay = (t: number) => {
  const d = new Date(t);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
};

/**
 * Everything the wallboard shows, computed from the sessions held and the account's agents (undefined
 * while unknown); pure, so a test can check it.
 */
export function wallboardStats(sessions: Iterable<SessionInfo>, now: number, serviceLevelSeconds: number, agentEndpoints?: readonly AgentEndpoint[]): WallboardStats {
  const today = startOfDay(now);
  const yesterday = startOfDay(today - 12 * 3600_000);
  const queues = new Map<string, QueueCounts>();
  const totals: QueueCounts = { key: 'all', name: 'All', queued: 0, ringing: 0, connected: 0, onHold: 0 };
  const perHourToday = new Array<number>(24).fill(0);
  const perHourYesterday = new Array<number>(24).fill(0);
  let longestWaitMs = 0;
  let answered = 0;
  let missed = 0;
  let abandoned = 0;
  let withinLevel = 0;
  const live: SessionInfo[] = [];
  for (const s of sessions) {
    const created = Date.parse(s.dateCreated ?? '');
    const state = liveState(s);
    if (!s.ended) live.push(s);
    if (state) {
      const key = s.ringQueueId ? `queue:${s.ringQueueId}` : `endpoint:${s.endpointId ?? ''}`;
      let row = queues.get(key);
      if (!row) queues.set(key, (row = { key, name: s.ringQueueId ?? s.endpointName ?? s.endpointId ?? '(none)', queued: 0, ringing: 0, connected: 0, onHold: 0 }));
      row[state]++;
      totals[state]++;
      if ((state === 'queued' || state === 'ringing') && created) longestWaitMs = Math.max(longestWaitMs, now - created);
    }
    if (!created) continue;
    if (created >= yesterday && created < today) perHourYesterday[new Date(created).getHours()]!++;
    if (created < today || created >= today + 86_400_000) continue;
    perHourToday[new Date(created).getHours()]!++;
    if (s.direction !== 'Incoming' || !s.ended) continue;
    if (s.outcome === 'Answered') {
      answered++;
      const at = answeredAt(s);
      if (at !== undefined && at - created <= serviceLevelSeconds * 1000) withinLevel++;
    } else if (s.outcome === 'Abandoned' || s.outcome === 'ShortAbandon') abandoned++;
    else if (s.wasMissed) missed++;
  }
  const settled = answered + missed + abandoned;
  const busiest = (q: QueueCounts) => q.queued + q.ringing + q.connected + q.onHold;
  return {
    queues: [...queues.values()].sort((a, b) => busiest(b) - busiest(a) || a.name.localeCompare(b.name)),
    totals,
    longestWaitMs,
    answered,
    missed,
    abandoned,
    serviceLevel: settled ? withinLevel / settled : undefined,
    perHourToday,
    perHourYesterday,
    agents: agentEndpoints && agentCounts(live, agentEndpoints),
  };
}
