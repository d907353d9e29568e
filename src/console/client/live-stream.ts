import type { SessionInfo } from '../../model/session-info.js';

/**
 * A session as the stream sends it: GET /sessions/{id}'s document plus its version; `deleted` when
 * the stream said `cmd.SessionDeleted` (its id and version only).
 */
export type StreamedSession = SessionInfo & { version?: number; deleted?: true };

export interface LiveStreamHandlers {
  session(session: StreamedSession): void;
  /** A session was deleted (DeleteSessions, retention): `{channel}@cmd.SessionDeleted`. */
  deleted(gone: { id: string; version: number }): void;
  /** The history window was passed (cmd.onResync): re-read everything shown by REST. */
  resync(): void;
  status(state: 'connecting' | 'live' | 'reconnecting'): void;
}

const path = (url: string) => {
  const u = new URL(url, location.href);
  return u.pathname + u.search;
};

/**
 * The console's subscription to /event-stream. The browser's EventSource resumes a dropped
 * connection itself with Last-Event-ID; when it gives up (readyState CLOSED: the server was gone,
 * or the network was off long enough) or the server forgot the subscription (heartbeat 404), a new
 * EventSource is opened with ?lastEventId= so nothing between is missed (docs/server-events.md).
 */
export class LiveStream {
  private source: EventSource | undefined;
  private lastEventId: string | undefined;
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private retry: ReturnType<typeof setTimeout> | undefined;
  private failures = 0;
  private stopped = false;
  private readonly onOnline = () => {
    if (this.source?.readyState !== EventSource.OPEN) this.reopen(0);
  };

  constructor(
    private readonly channels: readonly string[],
    private readonly handlers: LiveStreamHandlers,
  ) {}

  start(): void {
    addEventListener('online', this.onOnline);
    this.open();
  }

  stop(): void {
    this.stopped = true;
    removeEventListener('online', this.onOnline);
    clearInterval(this.heartbeat);
    clearTimeout(this.retry);
    this.source?.close();
  }

  private open(): void {
    if (this.stopped) return;
    this.handlers.status('connecting');
    const resume = this.lastEventId ? `&lastEventId=${encodeURIComponent(this.lastEventId)}` : '';
    const source = new EventSource(`/event-stream?channels=${this.channels.join(',')}${resume}`, { withCredentials: true });
    this.source = source;
    source.onopen = () => {
      this.failures = 0;
      this.handlers.status('live');
    };
    source.onerror = () => {
      this.handlers.status('reconnecting');
      if (source.readyState === EventSource.CLOSED) this.reopen();
    };
    source.onmessage = (event) => this.receive(event);
  }

  private reopen(delayMs = Math.min(10_000, 500 * 2 ** this.failures++)): void {
    clearInterval(this.heartbeat);
    clearTimeout(this.retry);
    this.source?.close();
    this.retry = setTimeout(() => this.open(), delayMs);
  }

  private receive(event: MessageEvent<string>): void {
    if (event.lastEventId) this.lastEventId = event.lastEventId;
    const space = event.data.indexOf(' ');
    const selector = space < 0 ? event.data : event.data.slice(0, space);
    const body = space < 0 ? {} : JSON.parse(event.data.slice(space + 1));
    if (selector.endsWith('@cmd.SessionInfo') || selector === 'cmd.SessionInfo') this.handlers.session(body as StreamedSession);
    else if (selector.endsWith('@cmd.SessionDeleted')) this.handlers.deleted(body as { id: string; version: number });
    else if (selector === 'cmd.onConnect') this.beat(String(body.heartbeatUrl), Number(body.heartbeatIntervalMs) || 10_000);
    else if (selector === 'cmd.onResync') this.handlers.resync();
  }

  private beat(url: string, intervalMs: number): void {
    clearInterval(this.heartbeat);
    this.heartbeat = setInterval(() => {
      fetch(path(url), { method: 'POST', credentials: 'same-origin' })
        .then((res) => {
          if (res.status === 404) this.reopen(0);
        })
        .catch(() => undefined);
    }, intervalMs);
  }
}
