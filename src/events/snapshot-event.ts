import type { SessionInfo } from '../model/session-info.js';
import { isoDate } from '../sessions/session-row.js';
import type { RecordedEvent } from './session-event.js';

/** Where a session that arrives whole came from: an Evo Voice export, `switchboard generate`, the demo seed. */
export type SnapshotSource = 'import' | 'generate' | 'demo';

/**
 * The `SessionImported` event for a session that arrives whole: the fold of this one event is the
 * document itself (with the log and members it always shows), so the row stays a pure fold of its
 * ledger and a later event re-folds from it.
 */
export function snapshotEvent(session: SessionInfo, source: SnapshotSource = 'import'): RecordedEvent {
  const id = session.id ?? '';
  return {
    accountId: session.accountId ?? '',
    sessionId: id,
    dedupeKey: `${source}:${id}`,
    source,
    occurredAt: isoDate(session.dateLastModified ?? session.dateCreated) ?? new Date(0).toISOString(),
    sequence: null,
    actor: session.lastModifiedBy ?? null,
    event: { type: 'SessionImported', document: session },
  };
}
