import { describe, expect, it } from 'vitest';
import { SessionStore } from '../../src/console/client/session-store.js';
import { wallboardStats } from '../../src/console/client/wallboard-stats.js';
import type { StreamedSession } from '../../src/console/client/live-stream.js';

const NOW = new Date(2026, 11, 3, 15, 0, 0).getTime();
const at = (minutesAgo: number) => new Date(NOW - minutesAgo * 60_000).toISOString();

function ended(n: number, extra: Partial<StreamedSession>): StreamedSession {
  return {
    id: `S${n}`,
    version: 3,
    ended: true,
    channel: 'Voice',
    direction: 'Incoming',
    dateCreated: at(n),
    dateCompleted: at(n - 1),
    fromAddress: '+15035551234',
    toAddress: '+15035550000',
    endpointId: 'ep_main_line',
    endpointName: 'Main line',
    customerBreadcrumb: [{ id: 'cust_root', name: 'Acme' }],
    members: [{ role: 'Caller', callState: 'None', displayName: '+15035551234' }],
    log: [
      { date: at(n), message: 'Incoming call from +15035551234 to +15035550000' },
      { date: at(n - 0.2), message: 'Answered by Dana Agent' },
      { date: at(n - 1), message: 'Call completed' },
    ],
    ...extra,
  };
}

describe('the console\'s session store', () => {
  it('keeps an ended session only as the wallboard counts it: the same figures, a fraction of the bytes, listeners still get it whole', () => {
    const sessions = [
      ended(10, { outcome: 'Answered' }),
      ended(20, { outcome: 'Answered', log: [{ date: at(19), message: 'Answered by Lee Agent' }] }),
      ended(30, { outcome: 'Missed', wasMissed: true, log: [] }),
      ended(40, { outcome: 'Abandoned', wasMissed: true, log: [] }),
      { id: 'S50', version: 1, ended: false, channel: 'Voice', direction: 'Incoming', dateCreated: at(1), callState: 'Ringing', endpointId: 'ep_main_line', endpointName: 'Main line' } satisfies StreamedSession,
    ];
    const store = new SessionStore();
    const heard: StreamedSession[] = [];
    store.listen((s) => heard.push(s));
    for (const s of sessions) store.put(s);

    expect(heard).toEqual(sessions);
    expect(wallboardStats(store.all(), NOW, 20)).toEqual(wallboardStats(sessions, NOW, 20));
    const bytes = (xs: unknown[]) => JSON.stringify(xs).length;
    expect(bytes(store.all().slice(0, 4))).toBeLessThan(bytes(sessions.slice(0, 4)) / 2);
    expect(store.get('S50')).toEqual(sessions[4]);
    // An older stream copy of a compacted session is still refused by its version.
    expect(store.put({ ...sessions[0]!, version: 2, ended: false })).toBe(false);
  });
});

describe('a deleted session in the console\'s store', () => {
  it('leaves the store and the board\'s counts, listeners hear it as deleted, and neither a replayed change nor a REST copy read before brings it back', () => {
    const store = new SessionStore();
    const live = { id: 'S1', version: 2, ended: false, channel: 'Voice', direction: 'Incoming', dateCreated: at(1), callState: 'Ringing', endpointId: 'ep_main_line', endpointName: 'Main line' } satisfies StreamedSession;
    store.put(live);
    expect(wallboardStats(store.all(), NOW, 20).totals.ringing).toBe(1);
    const heard: StreamedSession[] = [];
    store.listen((s) => heard.push(s));

    store.remove('S1', 3);
    expect(store.get('S1')).toBeUndefined();
    expect(wallboardStats(store.all(), NOW, 20).totals.ringing).toBe(0);
    expect(heard).toEqual([{ id: 'S1', version: 3, ended: true, deleted: true }]);

    expect(store.put(live)).toBe(false);
    expect(store.put({ ...live, version: undefined })).toBe(false);
    expect(store.all()).toEqual([]);
    // A session the console never held: nothing to forget, nothing remembered.
    store.remove('S9', 1);
    expect(heard).toHaveLength(1);
  });
});
