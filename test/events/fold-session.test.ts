import { describe, expect, it } from 'vitest';
import { foldSession } from '../../src/events/fold-session.js';
import type { RecordedEvent, SessionEvent } from '../../src/events/session-event.js';
import { snapshotEvent } from '../../src/events/snapshot-event.js';
import { goldenSession } from '../support/fixtures.js';

const CALLER = 'CA00000000000000000000000000000001';
const AGENT_LEG = 'CA00000000000000000000000000000002';
let n = 0;
const at = (second: number, event: SessionEvent, sequence: number | null = null): RecordedEvent => ({
  accountId: 'acct',
  sessionId: 's1',
  dedupeKey: `k${n++}`,
  source: 'test',
  occurredAt: new Date(Date.UTC(2026, 10, 27, 14, 0, second)).toISOString(),
  sequence,
  actor: null,
  event,
});
const started = (second = 0) =>
  at(second, { type: 'SessionStarted', channel: 'Voice', direction: 'Incoming', callSid: CALLER, fromAddress: '+15035551234', toAddress: '+15035550000' });
const leg = (second: number, status: 'ringing' | 'in-progress' | 'completed' | 'no-answer', parent = false, sequence = 0) =>
  at(
    second,
    parent
      ? { type: 'CallLegStatus', callSid: CALLER, status }
      : { type: 'CallLegStatus', callSid: AGENT_LEG, parentCallSid: CALLER, status, party: { identity: 'client:dana', endpointId: 'ep_dana', displayName: 'Dana', role: 'Agent' } },
    sequence,
  );

describe('foldSession', () => {
  it('builds an answered inbound call from its events', () => {
    const s = foldSession('acct', 's1', [started(), leg(2, 'ringing'), leg(5, 'in-progress', false, 1), leg(60, 'completed', true, 2)]);
    expect(s).toMatchObject({ direction: 'Incoming', ended: true, callState: 'Disconnected', outcome: 'Answered', wasMissed: false, answeredById: 'ep_dana', answeredByName: 'Dana' });
    expect(s.members!.map((m) => [m.role, m.callState])).toEqual([['Caller', 'None'], ['Agent', 'None']]);
    expect(s.log!.map((l) => l.message)).toEqual(['Incoming call from +15035551234 to +15035550000', 'Ringing Dana', 'Answered by Dana', 'Call ended (completed)']);
  });

  it('shares no object with its events, which the cached writer keeps and folds again', () => {
    const opening = at(0, { type: 'SessionStarted', channel: 'Voice', direction: 'Incoming', callSid: CALLER, customerBreadcrumb: [{ id: 'c1', name: 'Acme' }] });
    const s = foldSession('acct', 's1', [opening]);
    s.customerBreadcrumb![0]!.name = 'changed';
    s.customerBreadcrumb!.push({ id: 'c2' });
    expect(foldSession('acct', 's1', [opening]).customerBreadcrumb).toEqual([{ id: 'c1', name: 'Acme' }]);
  });

  it('folds the same set of events the same way whatever order they come in', () => {
    const events = [started(), leg(2, 'ringing'), leg(5, 'in-progress', false, 1), leg(60, 'completed', true, 2)];
    expect(foldSession('acct', 's1', [...events].reverse())).toEqual(foldSession('acct', 's1', events));
  });

  it('keeps terminal states sticky: a later ringing is logged, not applied', () => {
    const s = foldSession('acct', 's1', [started(), leg(30, 'completed', true, 1), leg(40, 'ringing', true, 0)]);
    expect(s.ended).toBe(true);
    expect(s.callState).toBe('Disconnected');
    expect(s.log!.at(-1)!.message).toMatch(/^Ignored ringing for CA0+1: the leg had already ended \(completed\)$/);
  });

  it('calls an unanswered inbound call missed, unless the caller gave up within the short-abandon threshold', () => {
    expect(foldSession('acct', 's1', [started(), leg(30, 'completed', true)])).toMatchObject({ wasMissed: true, outcome: 'Missed' });
    expect(foldSession('acct', 's1', [started(), leg(3, 'completed', true)])).toMatchObject({ wasMissed: false, outcome: 'ShortAbandon' });
    expect(foldSession('acct', 's1', [started(), leg(3, 'completed', true)], { shortAbandonSeconds: 1 })).toMatchObject({ wasMissed: true });
  });

  it('starts from a snapshot and leaves it as it is when nothing else happened', () => {
    const golden = goldenSession();
    const snapshot = snapshotEvent(golden);
    expect(foldSession(golden.accountId!, golden.id!, [snapshot])).toEqual(golden);
  });

  it('applies a patch on top of a snapshot and records who made it', () => {
    const golden = goldenSession();
    const patch: RecordedEvent = { ...at(0, { type: 'SessionPatched', consoleData: 'note' }), accountId: golden.accountId!, sessionId: golden.id!, occurredAt: '2026-11-27T15:00:00.000Z', actor: 'user_sam' };
    const s = foldSession(golden.accountId!, golden.id!, [patch, snapshotEvent(golden)]);
    expect(s).toMatchObject({ consoleData: 'note', lastModifiedBy: 'user_sam', dateLastModified: '2026-11-27T15:00:00.000Z' });
    expect(s.log!.at(-1)).toEqual({ date: '2026-11-27T15:00:00.000Z', message: 'Updated console data by user_sam' });
  });

  it('settles an outgoing call by its final status, and a machine answer as Machine', () => {
    const opening = { channel: 'Voice', direction: 'Outgoing', callSid: CALLER, fromAddress: '+15035550100', toAddress: '+15035559999' } as const;
    const out = (second: number, status: 'ringing' | 'in-progress' | 'completed' | 'busy', answeredBy?: string) =>
      at(second, { type: 'CallLegStatus', callSid: CALLER, status, answeredBy, opening }, second);
    const ringing = foldSession('acct', 's1', [out(0, 'ringing')]);
    expect(ringing).toMatchObject({ direction: 'Outgoing', dialState: 'Active', callState: 'Ringing', ended: false });
    expect(foldSession('acct', 's1', [out(0, 'ringing'), out(5, 'busy')])).toMatchObject({ outcome: 'Busy', wasMissed: false, dialState: 'None' });
    expect(foldSession('acct', 's1', [out(0, 'ringing'), out(5, 'in-progress', 'machine_start'), out(30, 'completed')])).toMatchObject({ outcome: 'Machine' });
    expect(foldSession('acct', 's1', [out(0, 'ringing'), out(5, 'in-progress', 'human'), out(30, 'completed')])).toMatchObject({ outcome: 'Answered' });
  });
});

