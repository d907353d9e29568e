import type { RecordedEvent } from '../../../src/events/session-event.js';

/**
 * A chat session's event as the neutral API records it: at second 0 the session starts, at any
 * other second a line is appended (`line <text>`, the text defaulting to the second).
 */
export const chatEvent = (spec: { sessionId?: string; dedupeKey: string; second: number; accountId?: string; line?: string }): RecordedEvent => ({
  accountId: spec.accountId ?? 'acct',
  sessionId: spec.sessionId ?? 's1',
  dedupeKey: spec.dedupeKey,
  source: 'test',
  occurredAt: new Date(Date.UTC(2026, 10, 27, 14, 0, spec.second)).toISOString(),
  sequence: null,
  actor: null,
  event:
    spec.second === 0
      ? { type: 'SessionStarted', channel: 'Chat', direction: 'Incoming', fromAddress: 'web' }
      : { type: 'LogAppended', message: `line ${spec.line ?? spec.second}` },
});
