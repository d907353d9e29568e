import type { StreamedSession } from './live-stream.js';
import { answeredLine } from './wallboard-stats.js';

/**
 * An ended session as the board still needs it for today's counts, the service level and the
 * calls-per-hour chart, and nothing else: the detail and history views read sessions by REST, and
 * listeners got it whole. A day of calls stays in memory, so its size is the console's memory at
 * a steady load: the whole document less log and members held ≈1.3 KB per call in bench/console
 * (12 MB after 7,500 calls); these few fields hold a fraction of that.
 */
function compact(s: StreamedSession): StreamedSession {
  const answered = answeredLine(s);
  const kept: StreamedSession = { id: s.id, ended: true };
  if (s.version !== undefined) kept.version = s.version;
  if (s.dateCreated !== undefined) kept.dateCreated = s.dateCreated;
  if (s.channel !== undefined) kept.channel = s.channel;
  if (s.direction !== undefined) kept.direction = s.direction;
  if (s.outcome !== undefined) kept.outcome = s.outcome;
  if (s.wasMissed) kept.wasMissed = true;
  if (answered?.date) kept.log = [{ date: answered.date, message: answered.message }];
  return kept;
}

/**
 * The sessions a view shows, each at its newest version: a stream copy older than the one held is
 * dropped (the stream's version rises by one per commit; REST copies carry none and are replaced by
 * any streamed one). Listeners hear which session changed.
 */
export class SessionStore {
  private readonly sessions = new Map<string, StreamedSession>();
  private readonly listeners = new Set<(session: StreamedSession) => void>();
  /** Deleted sessions' last versions: a REST copy read before the deletion must not bring one back. */
  private readonly deletedAt = new Map<string, number>();

  put(session: StreamedSession): boolean {
    if (!session.id) return false;
    const deleted = this.deletedAt.get(session.id);
    if (deleted !== undefined && (session.version === undefined || session.version <= deleted)) return false;
    const known = this.sessions.get(session.id);
    if (known?.version !== undefined && (session.version === undefined || session.version <= known.version)) return false;
    this.sessions.set(session.id, session.ended ? compact(session) : session);
    for (const listener of this.listeners) listener(session);
    return true;
  }

  /**
   * Forgets a deleted session; listeners hear it as ended and `deleted`, so every view drops it. A
   * copy streamed after it (an older change replayed) is refused by the version kept for it.
   */
  remove(id: string, version: number): void {
    const known = this.sessions.get(id);
    // Not held, not shown: nothing to forget (retention deletes thousands the console never saw).
    if (!known || (known.version !== undefined && version <= known.version)) return;
    const gone: StreamedSession = { id, version, ended: true, deleted: true };
    this.sessions.delete(id);
    this.deletedAt.set(id, version);
    for (const listener of this.listeners) listener(gone);
  }

  /** The session held; an ended one only as the wallboard counts it (listeners got it whole). */
  get(id: string): StreamedSession | undefined {
    return this.sessions.get(id);
  }

  all(): StreamedSession[] {
    return [...this.sessions.values()];
  }

  /** Keeps the store bounded: forgets ended sessions created before `before`. */
  prune(before: number): void {
    for (const [id, s] of this.sessions) if (s.ended && Date.parse(s.dateCreated ?? '') < before) this.sessions.delete(id);
    this.deletedAt.clear();
  }

  listen(listener: (session: StreamedSession) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
