import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NEUTRAL_TYPES } from '../../src/events/read-neutral-event.js';
import { sign } from './support/deliver.js';
import { ACCOUNT_ID, ACCOUNT_SID, PUBLIC_URL, seedDirectory } from './support/directory-seed.js';
import { startSignedInServer, startTestServer } from '../support/server.js';

const DATA_KEYS = ['channel', 'direction', 'from', 'to', 'identity', 'endpointId', 'role', 'status', 'callSid', 'parentCallSid', 'conferenceSid', 'message', 'callState', 'holdReason', 'queueState', 'outcome', 'durationSeconds', 'hold', 'muted'];
const text = fc.oneof(fc.constantFrom('', 'Chat', 'Voice', 'Agent', 'ringing', 'completed', 'client:dana', 'ep_agent_dana', 'CA1', 'true', 'Hold', 'nonsense'), fc.string({ maxLength: 12 }));

describe('whatever a provider sends, the answer is never a 500', () => {
  it('neutral batches of random events get 2xx or a ServiceStack 4xx', async () => {
    const s = await startSignedInServer([]);
    await seedDirectory(s.store.db);
    const event = fc.record(
      {
        id: fc.string({ maxLength: 6 }),
        source: fc.constantFrom('a', 'b'),
        sessionKey: fc.constantFrom('k1', 'k2'),
        sessionId: fc.constantFrom(undefined, 'x'.repeat(200), 'abc'),
        type: fc.oneof(fc.constantFrom(...NEUTRAL_TYPES), fc.string({ maxLength: 8 })),
        occurredAt: fc.oneof(fc.constant('2026-11-27T14:00:00Z'), fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), fc.string({ maxLength: 8 })),
        sequence: fc.option(fc.integer({ min: 0, max: 1000 }), { nil: undefined }),
        data: fc.dictionary(fc.constantFrom(...DATA_KEYS), text, { maxKeys: 6 }),
      },
      { requiredKeys: ['id', 'source', 'type', 'occurredAt'] },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(event, { minLength: 1, maxLength: 4 }), async (events) => {
        const res = await s.fetch(`${s.url}/sessions/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ accountId: ACCOUNT_ID, events }) });
        expect(res.status).toBeLessThan(500);
        if (res.status >= 400) expect((await res.json()).responseStatus.errorCode).toBeTruthy();
      }),
      { numRuns: 150 },
    );
  });

  it('signed Twilio callbacks with random fields get 2xx or a ServiceStack 4xx', async () => {
    const s = await startTestServer([], { events: { publicUrl: PUBLIC_URL } });
    await seedDirectory(s.store.db);
    const params = fc.dictionary(
      fc.constantFrom('CallSid', 'CallStatus', 'ParentCallSid', 'SequenceNumber', 'Timestamp', 'From', 'To', 'Direction', 'ConferenceSid', 'FriendlyName', 'StatusCallbackEvent', 'ParticipantLabel', 'CallDuration', 'AnsweredBy', 'RecordingUrl', 'Hold', 'Muted'),
      fc.oneof(text, fc.constantFrom('participant-join', 'participant-hold', 'conference-end', 'in-progress', '3', 'Fri, 27 Nov 2026 14:03:11 +0000', 'CA00000000000000000000000000000001')),
      { maxKeys: 10 },
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('/twilio/voice', '/twilio/voice/status', '/twilio/conference/status'), params, async (path, p) => {
        const form = { ...p, AccountSid: ACCOUNT_SID };
        const res = await fetch(s.url + path, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': sign(path, form) }, body: new URLSearchParams(form).toString() });
        expect(res.status).toBeLessThan(500);
      }),
      { numRuns: 150 },
    );
  });
});
