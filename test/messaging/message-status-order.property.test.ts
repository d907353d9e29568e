/**
 * A message's delivery statuses arrive in any order and any number of times (Twilio's callbacks
 * carry no time of their own, so fold order is arrival order): whatever the order, the session ends
 * with the furthest status, and the same set of events folds to the same session.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { foldSession } from '../../src/events/fold-session.js';
import type { RecordedEvent } from '../../src/events/session-event.js';

const SID = 'SM0123456789abcdef0123456789abcdef';
const BASE = Date.parse('2026-12-03T10:00:00.000Z');
const RANKED = ['sent', 'undelivered', 'delivered', 'read'] as const;

function event(at: number, status: string | undefined, key: string): RecordedEvent {
  return {
    accountId: 'acct',
    sessionId: 's1',
    dedupeKey: key,
    source: status ? 'twilio' : 'api',
    occurredAt: new Date(BASE + at * 1000).toISOString(),
    sequence: null,
    actor: null,
    event: status
      ? { type: 'MessageStatus', messageSid: SID, status }
      : { type: 'MessageSent', messageSid: SID, from: '+15035550000', to: '+15035557777', body: 'On my way', status: 'queued', opening: { channel: 'Chat', direction: 'Outgoing', fromAddress: '+15035550000', toAddress: '+15035557777' } },
  };
}

describe('message statuses in any order', () => {
  it('end at the furthest status reported, whatever order and repeats they arrive in', () => {
    const arrivals = fc.array(fc.constantFrom(...RANKED), { minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(arrivals, fc.nat({ max: 8 }), (statuses, sentAt) => {
        // Each callback stamped when it arrived (one per second); the send recorded at some point among them.
        const events = [event(sentAt, undefined, `twilio:message:${SID}`), ...statuses.map((s, i) => event(i, s, `twilio:message:${SID}:${s}`))];
        const session = foldSession('acct', 's1', events);
        const applied = (session.log ?? []).map((l) => l.message ?? '').filter((m) => m.startsWith(`Message ${SID} `));
        const furthest = RANKED[Math.max(...statuses.map((s) => RANKED.indexOf(s)))];
        expect(applied.at(-1)).toBe(`Message ${SID} ${furthest}`);
        expect(foldSession('acct', 's1', [...events].reverse())).toEqual(session);
      }),
      { numRuns: 200 },
    );
  });
});
