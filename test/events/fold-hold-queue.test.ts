/**
 * The hold queue in the fold (docs/session-states.md): a stay enters once and leaves once, whatever
 * else reports it (a reconciliation beside the callback), and the same set of events folds to the
 * same session in every order.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { foldSession } from '../../src/events/fold-session.js';
import type { RecordedEvent, SessionEvent } from '../../src/events/session-event.js';

const CALLER = 'CA00000000000000000000000000000001';
const QUEUE = 'hold-s1';
let n = 0;
const at = (second: number, event: SessionEvent, actor: string | null = null, source = 'twilio'): RecordedEvent => ({
  accountId: 'acct',
  sessionId: 's1',
  dedupeKey: `${source}:${n++}`,
  source,
  occurredAt: new Date(Date.UTC(2026, 10, 27, 14, 0, second)).toISOString(),
  sequence: null,
  actor,
  event,
});
const opened = [
  at(0, { type: 'SessionStarted', channel: 'Voice', direction: 'Incoming', callSid: CALLER, fromAddress: '+15035551234', toAddress: '+15035550000' }),
  at(1, { type: 'CallLegStatus', callSid: CALLER, status: 'in-progress' }),
];
const command = (second: number, c: 'hold' | 'unhold', holdId = 'h1') => at(second, { type: 'ControlRequested', command: c, callSid: CALLER, outcome: 'accepted', actorName: 'Dana Agent', ...(c === 'hold' ? { holdId, reason: 'None' } : {}) }, 'user_dana', 'api');
const entered = (second: number, holdId = 'h1', source = 'twilio') => at(second, { type: 'HoldQueueEntered', callSid: CALLER, queueName: QUEUE, queueSid: 'QU1', holdId }, null, source);
const left = (second: number, holdId = 'h1', result = 'redirected', source = 'twilio') => at(second, { type: 'HoldQueueLeft', callSid: CALLER, queueName: QUEUE, queueSid: 'QU1', holdId, result }, null, source);
const lines = (events: RecordedEvent[]) => foldSession('acct', 's1', events).log!.map((l) => l.message);

describe('hold queue in the fold', () => {
  it('holds and releases the caller, naming who did it', () => {
    const held = foldSession('acct', 's1', [...opened, command(2, 'hold'), entered(3)]);
    expect(held).toMatchObject({ callState: 'Hold', holdQueueName: QUEUE, holdReason: 'None', heldByUserId: 'user_dana' });
    const back = foldSession('acct', 's1', [...opened, command(2, 'hold'), entered(3), command(10, 'unhold'), left(11)]);
    expect(back).toMatchObject({ callState: 'Connected', holdReason: 'None' });
    expect(back.holdQueueName).toBeUndefined();
    expect(back.heldByUserId).toBeUndefined();
    expect(lines([...opened, command(2, 'hold'), entered(3), command(10, 'unhold'), left(11)]).slice(-3)).toEqual([
      '+15035551234 placed on hold in hold-s1 by Dana Agent',
      'Taking off hold of CA00000000000000000000000000000001 requested by Dana Agent',
      '+15035551234 taken off hold by Dana Agent',
    ]);
  });

  it('a stay reported twice (a reconciliation, then the late callback) enters and leaves once; an entry after its leaving changes nothing', () => {
    const log = lines([...opened, command(2, 'hold'), entered(20, 'h1', 'reconcile'), entered(25), left(30, 'h1', 'redirected', 'reconcile'), left(31)]);
    expect(log.filter((m) => m?.includes('placed on hold'))).toHaveLength(1);
    expect(log.filter((m) => m?.includes('taken off hold'))).toHaveLength(1);
    const late = foldSession('acct', 's1', [...opened, command(2, 'hold'), left(5), entered(6)]);
    expect(late.callState).toBe('Connected');
  });

  it('a hang-up from the queue leaves the end to the call’s own status; a refusal (queue-full) leaves the caller off hold', () => {
    const hungUp = foldSession('acct', 's1', [...opened, command(2, 'hold'), entered(3), left(8, 'h1', 'hangup'), at(9, { type: 'CallLegStatus', callSid: CALLER, status: 'completed' })]);
    expect(hungUp).toMatchObject({ ended: true, callState: 'Disconnected', holdReason: 'None' });
    expect(hungUp.holdQueueName).toBeUndefined();
    expect(hungUp.log!.map((l) => l.message)).toContain('+15035551234 hung up while on hold');
    const refused = foldSession('acct', 's1', [...opened, command(2, 'hold'), left(3, 'h1', 'queue-full')]);
    expect(refused.callState).toBe('Connected');
    expect(refused.log!.map((l) => l.message)).toContain('+15035551234 left hold-s1 (queue-full)');
  });

  it('every order of two holds, their releases and reconciled repeats folds to the same session', () => {
    const events = [
      ...opened,
      command(2, 'hold'),
      entered(3),
      entered(4, 'h1', 'reconcile'),
      command(10, 'unhold'),
      left(11),
      command(20, 'hold', 'h2'),
      entered(21, 'h2'),
      command(30, 'unhold'),
      left(31, 'h2', 'redirected', 'reconcile'),
      left(32, 'h2'),
    ];
    const expected = foldSession('acct', 's1', events);
    expect(expected.callState).toBe('Connected');
    fc.assert(
      fc.property(fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }), (order) => {
        expect(foldSession('acct', 's1', order)).toEqual(expected);
      }),
      { numRuns: 50 },
    );
  });
});
