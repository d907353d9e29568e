import { createHash } from 'node:crypto';
import type { SessionInfo, SessionLogInfo, SessionMemberInfo } from '../model/session-info.js';

export const DEMO_ACCOUNT = { id: 'acct_demo', name: 'Demo Contact Center' } as const;
export const BREADCRUMB = [
  { id: 'cust_demo_root', name: 'Demo Co' },
  { id: 'cust_demo_support', name: 'Support' },
];
export const MAIN_LINE = { endpointId: 'ep_demo_main', endpointName: 'Main line', toAddress: '+15035550100' };
export const AGENTS = {
  dana: { identity: 'client:dana', endpointId: 'ep_demo_dana', displayName: 'Dana Reyes' },
  lee: { identity: 'client:lee', endpointId: 'ep_demo_lee', displayName: 'Lee Okafor' },
  sam: { identity: 'client:sam', endpointId: 'ep_demo_sam', displayName: 'Sam Patel (Billing)' },
};

/** Stable 24-hex ids, so the printed curl lines work on every run of the demo. */
const demoId = (name: string) => createHash('sha256').update(`switchboard-demo:${name}`).digest('hex').slice(0, 24);
const sid = (prefix: string, name: string) => prefix + createHash('sha256').update(name).digest('hex').slice(0, 32);

interface Step {
  readonly at: number; // seconds after the session began
  readonly message: string;
}

function timeline(start: Date, steps: readonly Step[]): SessionLogInfo[] {
  return steps.map((s) => ({ date: iso(start, s.at), message: s.message }));
}

const iso = (start: Date, seconds: number) => new Date(start.getTime() + seconds * 1000).toISOString().replace('.000Z', 'Z');

function caller(number: string, name: string, state: SessionMemberInfo['callState'], name2 = 'caller'): SessionMemberInfo {
  return { identity: number, displayName: name, isOriginalMember: true, applicationData: {}, callState: state, role: 'Caller', callSid: sid('CA', name2 + number), muted: false };
}

function agent(who: keyof typeof AGENTS, state: SessionMemberInfo['callState'], role: SessionMemberInfo['role'] = 'Agent', muted = false): SessionMemberInfo {
  return { ...AGENTS[who], isOriginalMember: false, applicationData: { team: 'support' }, callState: state, role, callSid: sid('CA', who), muted };
}

function base(name: string, start: Date, minutesLong: number): SessionInfo {
  return {
    id: demoId(name),
    dateCreated: iso(start, 0),
    dateLastModified: iso(start, minutesLong * 60),
    lastModifiedBy: 'system',
    accountId: DEMO_ACCOUNT.id,
    accountName: DEMO_ACCOUNT.name,
    customerId: BREADCRUMB[1]!.id,
    customerName: BREADCRUMB[1]!.name,
    customerBreadcrumb: BREADCRUMB,
    ...MAIN_LINE,
    dialState: 'None',
    queueState: 'None',
    holdReason: 'None',
    channel: 'Voice',
    direction: 'Incoming',
    wasMissed: false,
    ended: true,
    callState: 'Disconnected',
  };
}

/**
 * A dozen sessions a contact center would have had this morning: answered, missed, abandoned,
 * on hold in a conference, transferred, outbound, chat and fax.
 */
export function demoSessions(now: Date): SessionInfo[] {
  const at = (minutesAgo: number) => new Date(Math.floor(now.getTime() / 1000) * 1000 - minutesAgo * 60_000);
  const sessions: SessionInfo[] = [];

  const answered = (name: string, minutesAgo: number, from: string, fromName: string, who: keyof typeof AGENTS) => {
    const start = at(minutesAgo);
    sessions.push({
      ...base(name, start, 6),
      callSid: sid('CA', 'caller' + from),
      fromAddress: from,
      fromName,
      displayName: fromName,
      dateCompleted: iso(start, 6 * 60),
      answeredById: AGENTS[who].endpointId,
      answeredByName: AGENTS[who].displayName,
      queueMemberId: AGENTS[who].endpointId,
      outcome: 'Answered',
      members: [caller(from, fromName, 'None'), agent(who, 'None')],
      log: timeline(start, [
        { at: 0, message: `Incoming call from ${from} to ${MAIN_LINE.toAddress}` },
        { at: 2, message: 'Entered queue Support' },
        { at: 9, message: `Ringing ${AGENTS[who].displayName}` },
        { at: 14, message: `Answered by ${AGENTS[who].displayName}` },
        { at: 360, message: 'Caller hung up' },
        { at: 360, message: 'Call completed (duration 5m 46s)' },
      ]),
    });
  };
  answered('answered-1', 185, '+15035551234', "Pat O'Brien", 'dana');
  answered('answered-2', 140, '+12065550147', 'Morgan Lake', 'lee');
  answered('answered-3', 52, '+14155550199', 'Ines Duarte', 'dana');

  const missedStart = at(120);
  sessions.push({
    ...base('missed-voicemail', missedStart, 2),
    callSid: sid('CA', 'missed'),
    fromAddress: '+13125550110',
    fromName: 'Chris Nolan',
    displayName: 'Chris Nolan',
    dateCompleted: iso(missedStart, 95),
    wasMissed: true,
    outcome: 'Voicemail',
    members: [caller('+13125550110', 'Chris Nolan', 'None')],
    log: timeline(missedStart, [
      { at: 0, message: 'Incoming call from +13125550110 to +15035550100' },
      { at: 2, message: 'Entered queue Support' },
      { at: 32, message: 'No agent answered within 30s' },
      { at: 33, message: 'Sent to voicemail' },
      { at: 95, message: 'Voicemail recorded (58s)' },
    ]),
  });

  const abandonStart = at(95);
  sessions.push({
    ...base('abandoned-in-queue', abandonStart, 1),
    callSid: sid('CA', 'abandon'),
    fromAddress: '+17185550142',
    displayName: '+1 718 555 0142',
    dateCompleted: iso(abandonStart, 48),
    wasMissed: true,
    outcome: 'Abandoned',
    queueState: 'Disconnected',
    members: [caller('+17185550142', '+1 718 555 0142', 'None')],
    log: timeline(abandonStart, [
      { at: 0, message: 'Incoming call from +17185550142 to +15035550100' },
      { at: 2, message: 'Entered queue Support (position 3)' },
      { at: 48, message: 'Caller abandoned while queued after 46s' },
    ]),
  });

  const holdStart = at(7);
  sessions.push({
    ...base('on-hold-conference', holdStart, 7),
    ended: false,
    dateLastModified: iso(holdStart, 400),
    lastModifiedBy: 'user_dana',
    callSid: sid('CA', 'caller+15415550123'),
    fromAddress: '+15415550123',
    fromName: 'Avery Kim',
    displayName: 'Avery Kim',
    callState: 'Hold',
    queueState: 'Hold',
    holdReason: 'Transferring',
    holdQueueName: 'hold-billing',
    heldByUserId: 'user_dana',
    conferenceSid: sid('CF', 'conf-hold'),
    answeredById: AGENTS.dana.endpointId,
    answeredByName: AGENTS.dana.displayName,
    queueMemberId: AGENTS.dana.endpointId,
    ringQueueId: 'rq_billing',
    mostRecentParticipantCallSid: sid('CA', 'sam'),
    members: [caller('+15415550123', 'Avery Kim', 'Hold'), agent('dana', 'Connected', 'Agent', true), agent('sam', 'Ringing', 'Transfer')],
    log: timeline(holdStart, [
      { at: 0, message: 'Incoming call from +15415550123 to +15035550100' },
      { at: 11, message: 'Answered by Dana Reyes' },
      { at: 15, message: 'Conference started' },
      { at: 380, message: 'Placed on hold (Transferring) by user_dana' },
      { at: 390, message: 'Dana Reyes muted' },
      { at: 400, message: 'Ringing Sam Patel (Billing) for a warm transfer' },
    ]),
  });

  const transferStart = at(75);
  const transferred: SessionInfo = {
    ...base('warm-transfer', transferStart, 12),
    callSid: sid('CA', 'caller+19175550188'),
    fromAddress: '+19175550188',
    fromName: 'Jordan Blake',
    displayName: 'Jordan Blake',
    dateCompleted: iso(transferStart, 720),
    conferenceSid: sid('CF', 'conf-transfer'),
    answeredById: AGENTS.lee.endpointId,
    answeredByName: AGENTS.lee.displayName,
    queueMemberId: AGENTS.sam.endpointId,
    outcome: 'Transferred',
    mostRecentParticipantCallSid: sid('CA', 'sam'),
    members: [caller('+19175550188', 'Jordan Blake', 'None'), agent('lee', 'None'), agent('sam', 'None', 'Transfer')],
    log: timeline(transferStart, [
      { at: 0, message: 'Incoming call from +19175550188 to +15035550100' },
      { at: 8, message: 'Answered by Lee Okafor' },
      { at: 120, message: 'Placed on hold (Transferring) by user_lee' },
      { at: 135, message: 'Sam Patel (Billing) joined the conference' },
      { at: 180, message: 'Lee Okafor left the conference' },
      { at: 720, message: 'Call completed (duration 12m)' },
    ]),
  };
  sessions.push(transferred);

  const outboundStart = at(30);
  sessions.push({
    ...base('outbound-busy', outboundStart, 1),
    direction: 'Outgoing',
    callSid: sid('CA', 'outbound'),
    fromAddress: MAIN_LINE.toAddress,
    toAddress: '+16465550131',
    destination: '+16465550131',
    displayName: '+1 646 555 0131',
    dateCompleted: iso(outboundStart, 9),
    outcome: 'Busy',
    members: [agent('lee', 'None')],
    log: timeline(outboundStart, [
      { at: 0, message: 'Lee Okafor dialled +16465550131' },
      { at: 9, message: 'Line busy' },
    ]),
  });

  const chatStart = at(22);
  sessions.push({
    ...base('chat', chatStart, 9),
    channel: 'Chat',
    fromAddress: '+14805550177',
    fromPhoneNumber: '+14805550177',
    fromName: 'Riley Chen',
    displayName: 'Riley Chen (SMS)',
    dateCompleted: iso(chatStart, 540),
    answeredById: AGENTS.dana.endpointId,
    answeredByName: AGENTS.dana.displayName,
    outcome: 'Resolved',
    members: [caller('+14805550177', 'Riley Chen', 'None', 'chat'), agent('dana', 'None')],
    log: timeline(chatStart, [
      { at: 0, message: 'Chat started by +14805550177: "Hi, my invoice looks wrong"' },
      { at: 40, message: 'Dana Reyes joined the chat' },
      { at: 540, message: 'Chat closed by Dana Reyes' },
    ]),
  });

  const activeChatStart = at(3);
  sessions.push({
    ...base('chat-active', activeChatStart, 3),
    channel: 'Chat',
    ended: false,
    callState: 'Connected',
    fromAddress: 'web:visitor-4821',
    fromName: 'Website visitor',
    displayName: 'Website visitor',
    members: [caller('web:visitor-4821', 'Website visitor', 'Connected', 'web'), agent('lee', 'Connected')],
    log: timeline(activeChatStart, [
      { at: 0, message: 'Web chat started' },
      { at: 25, message: 'Lee Okafor joined the chat' },
    ]),
  });

  const faxStart = at(240);
  sessions.push({
    ...base('fax', faxStart, 2),
    channel: 'Fax',
    fromAddress: '+15035550900',
    fromName: 'Northside Clinic',
    displayName: 'Fax from Northside Clinic',
    dateCompleted: iso(faxStart, 95),
    outcome: 'Received (3 pages)',
    members: [caller('+15035550900', 'Northside Clinic', 'None', 'fax')],
    log: timeline(faxStart, [
      { at: 0, message: 'Incoming fax from +15035550900' },
      { at: 95, message: 'Fax received: 3 pages' },
    ]),
  });

  const liveStart = at(2);
  sessions.push({
    ...base('live-call', liveStart, 2),
    ended: false,
    callState: 'Connected',
    queueState: 'Connected',
    callSid: sid('CA', 'caller+12125550166'),
    fromAddress: '+12125550166',
    fromName: 'Taylor Brooks',
    displayName: 'Taylor Brooks',
    answeredById: AGENTS.sam.endpointId,
    answeredByName: AGENTS.sam.displayName,
    queueMemberId: AGENTS.sam.endpointId,
    members: [caller('+12125550166', 'Taylor Brooks', 'Connected'), agent('sam', 'Connected')],
    log: timeline(liveStart, [
      { at: 0, message: 'Incoming call from +12125550166 to +15035550100' },
      { at: 6, message: 'Answered by Sam Patel (Billing)' },
    ]),
  });
  return sessions;
}
