import { describe, expect, it } from 'vitest';
import type { SessionInfo } from '../../src/model/session-info.js';
import { agentCounts, wallboardStats, type AgentEndpoint } from '../../src/console/client/wallboard-stats.js';

const NOW = new Date(2026, 11, 3, 15, 0, 0).getTime();
const at = (hoursAgo: number, seconds = 0) => new Date(NOW - hoursAgo * 3600_000 + seconds * 1000).toISOString();

function incoming(extra: Partial<SessionInfo>): SessionInfo {
  return { id: Math.random().toString(36).slice(2), direction: 'Incoming', channel: 'Voice', endpointId: 'ep_main', endpointName: 'Main line', ...extra };
}

describe('wallboard stats', () => {
  it('counts live calls per queue or endpoint, the longest wait, today\'s outcomes, the service level and calls per hour', () => {
    const sessions: SessionInfo[] = [
      incoming({ dateCreated: at(0, -90), callState: 'Ringing', queueState: 'Queued', ringQueueId: 'support' }),
      incoming({ dateCreated: at(0, -30), callState: 'Ringing' }),
      incoming({ dateCreated: at(0, -300), callState: 'Hold', members: [{ role: 'Agent', callState: 'Connected', displayName: 'Dana' }] }),
      incoming({ dateCreated: at(1), ended: true, outcome: 'Answered', log: [{ date: at(1, 10), message: 'Answered by Dana' }] }),
      incoming({ dateCreated: at(2), ended: true, outcome: 'Answered', log: [{ date: at(2, 45), message: 'Answered by Lee' }] }),
      incoming({ dateCreated: at(3), ended: true, outcome: 'Missed', wasMissed: true }),
      incoming({ dateCreated: at(3), ended: true, outcome: 'Abandoned', wasMissed: true }),
      incoming({ dateCreated: at(24), ended: true, outcome: 'Answered' }),
    ];
    const stats = wallboardStats(sessions, NOW, 20);
    expect(stats.totals).toMatchObject({ queued: 1, ringing: 1, connected: 0, onHold: 1 });
    expect(stats.queues.map((q) => [q.name, q.queued, q.ringing, q.onHold])).toEqual([
      ['Main line', 0, 1, 1],
      ['support', 1, 0, 0],
    ]);
    expect(stats.longestWaitMs).toBe(90_000);
    expect([stats.answered, stats.missed, stats.abandoned]).toEqual([2, 1, 1]);
    expect(stats.serviceLevel).toBe(1 / 4);
    expect(stats.agents).toBeUndefined();
    expect(stats.perHourToday.reduce((a, b) => a + b)).toBe(7);
    expect(stats.perHourYesterday[15]).toBe(1);
  });

  it('counts the account\'s agents on a call (a voice leg connected or held, by endpoint or identity) and free (the rest, ringing included)', () => {
    const agents: AgentEndpoint[] = [
      { id: 'ep_dana', identity: 'client:dana', displayName: 'Dana' },
      { id: 'ep_lee', identity: 'client:lee', displayName: 'Lee' },
      { id: 'ep_kim', identity: 'client:kim', displayName: 'Kim' },
      { id: 'ep_ola', displayName: 'Ola' },
    ];
    const sessions: SessionInfo[] = [
      // Dana by endpoint id, connected; Lee by identity, held: both on a call.
      incoming({ dateCreated: at(0), callState: 'Connected', members: [{ role: 'Caller', callState: 'Connected' }, { role: 'Agent', endpointId: 'ep_dana', callState: 'Connected' }] }),
      incoming({ dateCreated: at(0), callState: 'Hold', members: [{ role: 'Agent', identity: 'client:lee', callState: 'Hold' }] }),
      // Kim is only being rung, and left an earlier call: free.
      incoming({ dateCreated: at(0), callState: 'Ringing', members: [{ role: 'Agent', endpointId: 'ep_kim', callState: 'Ringing' }] }),
      incoming({ dateCreated: at(0), callState: 'Connected', members: [{ role: 'Agent', endpointId: 'ep_kim', callState: 'None' }, { role: 'Transfer', endpointId: 'ep_elsewhere', callState: 'Connected' }] }),
      // Ended calls and chats do not make anyone busy.
      incoming({ dateCreated: at(1), ended: true, members: [{ role: 'Agent', endpointId: 'ep_ola', callState: 'Connected' }] }),
      incoming({ dateCreated: at(0), channel: 'Chat', callState: 'Connected', members: [{ role: 'Agent', endpointId: 'ep_ola', callState: 'Connected' }] }),
    ];
    expect(wallboardStats(sessions, NOW, 20, agents).agents).toEqual({ total: 4, onCall: ['Dana', 'Lee'], free: 2, unknownOnCall: false });
    // A session without members (imported) counts the agent who answered it while it is connected.
    const answeredOnly = incoming({ dateCreated: at(0), callState: 'Connected', answeredById: 'ep_ola' });
    expect(agentCounts([...sessions, answeredOnly], agents)).toEqual({ total: 4, onCall: ['Dana', 'Lee', 'Ola'], free: 1, unknownOnCall: false });
    // The same agent on two calls (a consult) is one agent on a call.
    expect(agentCounts([sessions[0]!, sessions[0]!], agents)).toEqual({ total: 4, onCall: ['Dana'], free: 3, unknownOnCall: false });
    expect(agentCounts([], [])).toEqual({ total: 0, onCall: [], free: 0, unknownOnCall: false });
  });

  it('tells when an agent it does not know is on a call (added since the list was read), and only then', () => {
    const agents: AgentEndpoint[] = [{ id: 'ep_dana', identity: 'client:dana', displayName: 'Dana' }];
    const call = (member: NonNullable<SessionInfo['members']>[number], extra: Partial<SessionInfo> = {}) => incoming({ dateCreated: at(0), callState: 'Connected', members: [{ role: 'Caller', identity: '+15035551234', callState: 'Connected' }, member], ...extra });
    expect(agentCounts([call({ role: 'Agent', endpointId: 'ep_dana', callState: 'Connected' })], agents).unknownOnCall).toBe(false);
    expect(agentCounts([call({ role: 'Agent', identity: 'client:dana', callState: 'Hold' })], agents).unknownOnCall).toBe(false);
    expect(agentCounts([call({ role: 'Agent', identity: 'client:kim', callState: 'Connected' })], agents).unknownOnCall).toBe(true);
    expect(agentCounts([call({ role: 'Agent', endpointId: 'ep_kim', callState: 'Hold' })], agents).unknownOnCall).toBe(true);
    expect(agentCounts([call({ role: 'Transfer', identity: 'client:kim', callState: 'Connected' })], agents).unknownOnCall).toBe(true);
    // Not on a call yet, over, a chat, or not an agent at all: nothing to look up.
    expect(agentCounts([call({ role: 'Agent', identity: 'client:kim', callState: 'Ringing' })], agents).unknownOnCall).toBe(false);
    expect(agentCounts([call({ role: 'Agent', identity: 'client:kim', callState: 'Connected' }, { ended: true })], agents).unknownOnCall).toBe(false);
    expect(agentCounts([call({ role: 'Agent', identity: 'client:kim', callState: 'Connected' }, { channel: 'Chat' })], agents).unknownOnCall).toBe(false);
    expect(agentCounts([call({ role: 'Transfer', identity: '+15035550199', callState: 'Connected' })], agents).unknownOnCall).toBe(false);
  });
});
