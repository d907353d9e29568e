import type { SessionInfo, SessionLogInfo, SessionMemberInfo } from '../model/session-info.js';
import type { CustomersTable } from '../store/schema.js';

export interface GeneratorOptions {
  readonly sessions: number;
  readonly accounts: number;
  /** Sessions are spread over this many days before `endAt`. */
  readonly days: number;
  readonly endAt: Date;
  /** Same seed, same sessions: benchmarks and tests compare like with like. */
  readonly seed: number;
}

export const DEFAULT_GENERATOR: Omit<GeneratorOptions, 'endAt'> = Object.freeze({ sessions: 1_000_000, accounts: 20, days: 90, seed: 1 });

export interface GeneratedSession {
  readonly session: SessionInfo;
  readonly parentSessionId?: string;
}

/** mulberry32: small, fast, deterministic; not for secrets. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = ['Pat', 'Morgan', 'Ines', 'Chris', 'Dana', 'Lee', 'Sam', 'Alex', 'Jordan', 'Riley', 'Casey', 'Noor', 'Kenji', 'Ana', 'Olu', 'Mira'];
const LAST = ["O'Brien", 'Lake', 'Duarte', 'Nolan', 'Reyes', 'Okafor', 'Patel', 'Kim', 'Novak', 'Silva', 'Haddad', 'Berg', 'Ito', 'Moreau'];
const QUEUES = ['Support', 'Billing', 'Sales', 'Returns', 'Technical', 'Escalations'];
const REGIONS = ['North', 'South', 'East', 'West', 'Central'];
const AGENTS_PER_ACCOUNT = 30;
const LINES_PER_ACCOUNT = 10;
const CALLERS_PER_ACCOUNT = 50_000;

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0').slice(-width);

/** An account's id: `acct_0001`…; its customers are `<account>_c<r>` (regions) and `<account>_c<r>_<s>`. */
export const generatedAccountId = (index: number) => `acct_${String(index + 1).padStart(4, '0')}`;

/** Each account's customer tree: a root, five regions, four customers under each region. */
export function generatedCustomers(options: Pick<GeneratorOptions, 'accounts'>, now: string): CustomersTable[] {
  const rows: CustomersTable[] = [];
  for (let a = 0; a < options.accounts; a++) {
    const account_id = generatedAccountId(a);
    const row = (id: string, parent: string | null, name: string) =>
      rows.push({ account_id, id, parent_customer_id: parent, name, date_created: now, date_last_modified: now });
    row(`${account_id}_root`, null, `Account ${a + 1}`);
    REGIONS.forEach((region, r) => {
      row(`${account_id}_c${r}`, `${account_id}_root`, region);
      for (let s = 0; s < 4; s++) row(`${account_id}_c${r}_${s}`, `${account_id}_c${r}`, `${region} ${s + 1}`);
    });
  }
  return rows;
}

/**
 * Realistic sessions, oldest first: accounts of uneven size, calls clustered in business hours,
 * callers who call again, logs of 3–8 lines (a gateway timeout in ~0.5% of calls), transfers as
 * child sessions, the last hour's calls still live. Deterministic for a seed.
 *
 * @example
 * for (const { session } of generateSessions({ ...DEFAULT_GENERATOR, sessions: 10, endAt: new Date() })) …
 */
export function* generateSessions(options: GeneratorOptions): Generator<GeneratedSession> {
  const rand = random(options.seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(rand() * list.length)]!;
  const end = options.endAt.getTime();
  const span = options.days * 86_400_000;
  // Zipf-like weights: the first accounts are much busier than the last.
  const weights = Array.from({ length: options.accounts }, (_, i) => 1 / (i + 1));
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  const cumulative = weights.map(((sum) => (w: number) => (sum += w / totalWeight))(0));
  const recent = new Map<string, string[]>();
  let serial = 0;

  for (let n = 0; n < options.sessions; n++) {
    const r = rand();
    const found = cumulative.findIndex((c) => r <= c);
    const a = found < 0 ? options.accounts - 1 : found;
    const accountId = generatedAccountId(a);
    // Evenly spread by index (so the output is ordered by time), jittered within business hours.
    const day = Math.floor((n / options.sessions) * options.days);
    const hour = 8 + Math.floor(rand() * 10);
    const startMs = end - span + day * 86_400_000 + hour * 3_600_000 + Math.floor(rand() * 3_600_000);
    const start = new Date(Math.min(startMs, end - 1000));
    const seconds = 20 + Math.floor(rand() * 900);
    const id = hex(0x6500_0000 + Math.floor(start.getTime() / 1000), 8) + hex(a, 4) + hex(serial++, 12);
    const region = Math.floor(rand() * REGIONS.length);
    const sub = Math.floor(rand() * 5);
    const customerId = sub === 4 ? `${accountId}_c${region}` : `${accountId}_c${region}_${sub}`;
    const line = Math.floor(rand() * LINES_PER_ACCOUNT);
    const toAddress = `+1800555${String(a).padStart(2, '0')}${String(line).padStart(2, '0')}`;
    const caller = Math.floor(rand() * rand() * CALLERS_PER_ACCOUNT);
    const fromAddress = `+1${200 + ((caller * 7 + a * 13) % 700)}${String(5_550_000 + ((caller * 7919) % 1_000_000)).padStart(7, '0')}`;
    const fromName = `${pick(FIRST)} ${pick(LAST)}`;
    const agentIndex = Math.floor(rand() * AGENTS_PER_ACCOUNT);
    const agentId = `${accountId}_agent_${agentIndex}`;
    const agentName = `${FIRST[agentIndex % FIRST.length]} ${LAST[(agentIndex * 5) % LAST.length]}`;
    const queue = pick(QUEUES);
    const missed = rand() < 0.12;
    const live = end - start.getTime() < 3_600_000 && rand() < 0.3;
    const at = (s: number) => new Date(start.getTime() + s * 1000).toISOString().replace('.000Z', 'Z');

    const log: SessionLogInfo[] = [
      { date: at(0), message: `Incoming call from ${fromAddress} to ${toAddress}` },
      { date: at(2), message: `Entered queue ${queue}` },
    ];
    if (rand() < 0.005) log.push({ date: at(5), message: 'Gateway timeout after 30s, retrying on secondary trunk' });
    if (missed) {
      log.push({ date: at(32), message: 'No agent answered within 30s' }, { date: at(33), message: 'Sent to voicemail' });
    } else {
      log.push({ date: at(9), message: `Ringing ${agentName}` }, { date: at(14), message: `Answered by ${agentName}` });
      if (rand() < 0.2) log.push({ date: at(60), message: `Placed on hold by ${agentName}` }, { date: at(90), message: 'Resumed' });
    }
    if (!live) log.push({ date: at(seconds), message: `Call completed (duration ${Math.floor(seconds / 60)}m ${seconds % 60}s)` });

    const members: SessionMemberInfo[] = [
      { identity: fromAddress, displayName: fromName, isOriginalMember: true, applicationData: {}, callState: live ? 'Connected' : 'None', role: 'Caller', muted: false },
    ];
    if (!missed) {
      members.push({ identity: `client:${agentId}`, endpointId: agentId, displayName: agentName, isOriginalMember: false, applicationData: {}, callState: live ? 'Connected' : 'None', role: 'Agent', muted: false });
    }

    const history = recent.get(accountId) ?? [];
    const parentSessionId = history.length > 0 && rand() < 0.1 ? pick(history) : undefined;
    history.push(id);
    if (history.length > 50) history.shift();
    recent.set(accountId, history);

    yield {
      parentSessionId,
      session: {
        id,
        dateCreated: at(0),
        dateLastModified: at(live ? 14 : seconds),
        lastModifiedBy: 'system',
        dialState: 'None',
        callState: live ? 'Connected' : 'Disconnected',
        queueState: live ? 'Connected' : 'Disconnected',
        accountId,
        accountName: `Account ${a + 1}`,
        customerId,
        customerName: REGIONS[region],
        endpointId: `${accountId}_line_${line}`,
        endpointName: `Line ${line + 1}`,
        dateCompleted: live ? undefined : at(seconds),
        toAddress,
        fromAddress,
        fromName,
        answeredByName: missed ? undefined : agentName,
        answeredById: missed ? undefined : agentId,
        queueMemberId: missed ? undefined : agentId,
        channel: 'Voice',
        ended: !live,
        outcome: missed ? 'Voicemail' : 'Answered',
        callSid: 'CA' + hex(n, 32),
        displayName: fromName,
        log,
        members,
        direction: 'Incoming',
        wasMissed: missed,
        holdReason: 'None',
      },
    };
  }
}
