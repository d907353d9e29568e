import type { SessionInfo } from '../model/session-info.js';
import { isoDate } from '../sessions/session-row.js';
import type { RecordedEvent } from './session-event.js';

/**
 * The `SessionImported` event for a session that arrives whole (an Evo Voice export, the demo
 * seed): the fold of this one event is the document itself, so the row stays a pure fold of its ledger.
 */
export function snapshotEvent(session: SessionInfo): RecordedEvent {
  const id = session.id ?? '';
  return {
    accountId: session.accountId ?? '',
    sessionId: id,
    dedupeKey: `import:${id}`,
    source: 'import',
    occurredAt: isoDate(session.dateLastModified ?? session.dateCreated) ?? new Date(0).toISOString(),
    sequence: null,
    actor: session.lastModifiedBy ?? null,
    event: { type: 'SessionImported', document: session },
  };
}
