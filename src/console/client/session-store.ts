import type { StreamedSession } from './live-stream.js';
import { answeredLine } from './wallboard-stats.js';

/**
 * An ended session as the board still needs it (today's counts, the tables): without its log
 * (but the answer line the service level reads) or members, which are most of its bytes. A day of
 * calls stays in memory; the detail view reads the whole session by REST.
 */
function compact(s: StreamedSession): StreamedSession {
  const answered = answeredLine(s);
  const rest: StreamedSession = { ...s };
  delete rest.log;
  delete rest.members;
  delete rest.customerBreadcrumb;
  if (answered) rest.log = [answered];
  return rest;
}

/**
 * The sessions a view shows, each at its newest version: a stream copy older than the one held is
 * dropped (the stream's version rises by one per commit; REST copies carry none and are replaced by
 * any streamed one). Listeners hear which session changed.
 */
export class SessionStore {
  private readonly sessions = new Map<string, StreamedSession>();
  private readonly listeners = new Set<(session: StreamedSession) => void>();

  put(session: StreamedSession): boolean {
    if (!session.id) return false;
    const known = this.sessions.get(session.id);
    if (known?.version !== undefined && (session.version === undefined || session.version <= known.version)) return false;
    this.sessions.set(session.id, session.ended ? compact(session) : session);
    for (const listener of this.listeners) listener(session);
    return true;
  }

  /** The session held; an ended one without its log and members (listeners got it whole). */
  get(id: string): StreamedSession | undefined {
    return this.sessions.get(id);
  }

  all(): StreamedSession[] {
    return [...this.sessions.values()];
  }

  /** Keeps the store bounded: forgets ended sessions created before `before`. */
  prune(before: number): void {
    for (const [id, s] of this.sessions) if (s.ended && Date.parse(s.dateCreated ?? '') < before) this.sessions.delete(id);
  }

  listen(listener: (session: StreamedSession) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
