import type { Caller } from '../http/operation.js';
import { sseFrame, type EventStream } from '../http/sse.js';
import { matches, type ChangeFacts, type ReadableChannel } from './channels.js';
import { withMember, type SessionChange } from './change-log.js';

/** The public facts of a subscription (ServiceStack's Meta, all strings): onJoin/onLeave/onHeartbeat bodies, subscriber lists. */
export interface SubscriptionMeta {
  readonly userId: string;
  readonly isAuthenticated: 'true';
  readonly displayName: string;
  readonly channels: string;
  readonly createdAt: string;
  readonly profileUrl: string;
}

/** Who may heartbeat, update or unregister a subscription besides the holder of its id. */
export const principalOf = (caller: Caller) => `${caller.userId}\n${caller.apiKeyId ?? ''}`;

/**
 * One client's stream: its channels, where in the change log it stands, and its response.
 *
 * `cursor` is the last position this subscription has been brought to: nothing at or below it is
 * ever sent (no duplicate), and everything above it that matches is, in position order (no gap),
 * first by the catch-up read of a resume, then live (server-events.ts).
 */
export class Subscription {
  /** While false, a resume is still reading history and live changes are not handed to it. */
  live = false;
  lastPulse: number;

  constructor(
    readonly id: string,
    readonly caller: Caller,
    public channels: readonly ReadableChannel[],
    readonly displayName: string,
    readonly createdAt: number,
    readonly stream: EventStream,
    public cursor: number,
  ) {
    this.lastPulse = createdAt;
  }

  get principal(): string {
    return principalOf(this.caller);
  }

  meta(): SubscriptionMeta {
    return {
      userId: this.caller.userId,
      isAuthenticated: 'true',
      displayName: this.displayName,
      channels: this.channels.map((c) => c.name).join(','),
      createdAt: String(this.createdAt),
      profileUrl: PROFILE_URL,
    };
  }

  /** The accounts whose changes can concern it ('all' for a SystemAdministrator's `*`). */
  accounts(): readonly string[] | 'all' {
    const ids = new Set<string>();
    for (const channel of this.channels) {
      if (channel.accountIds === 'all') return 'all';
      for (const id of channel.accountIds) ids.add(id);
    }
    return [...ids];
  }

  /**
   * The frames of the changes past the cursor that one of the channels matches (each once, prefixed
   * with the first matching channel), for a resume's history; moves the cursor past all of them.
   */
  framesOf(changes: readonly SessionChange[], facts: readonly ChangeFacts[]): Buffer[] {
    const frames: Buffer[] = [];
    changes.forEach((change, i) => {
      if (change.position <= this.cursor) return;
      this.cursor = change.position;
      const channel = this.channels.find((c) => matches(c, facts[i]!));
      if (channel) frames.push(new ChangeFrames(change).on(channel.name));
    });
    return frames;
  }
}

/**
 * A change's frame per channel name, built and encoded once however many subscriptions get it: at
 * 1,000 subscribers the per-subscriber string building and UTF-8 encoding of a ~1.5 KB document was
 * what the fan-out cost beyond the write itself.
 */
export class ChangeFrames {
  private readonly byChannel = new Map<string, Buffer>();
  private body?: string;

  constructor(private readonly change: SessionChange) {}

  on(channel: string): Buffer {
    let frame = this.byChannel.get(channel);
    if (!frame) {
      this.body ??= bodyOf(this.change);
      frame = sseFrame(`${channel}@cmd.${this.change.kind}`, this.body, this.change.position);
      this.byChannel.set(channel, frame);
    }
    return frame;
  }
}

/** The document as GET /sessions/{id} sends it, plus the session's version (higher is newer) as a last member. */
export const withVersion = (document: string, version: number) => withMember(document, `"version":${version}`);

/** A SessionInfo change's body, or a deletion's: the session's id, account and a version above any it had. */
const bodyOf = (change: SessionChange) =>
  change.kind === 'SessionDeleted' ? JSON.stringify({ id: change.sessionId, accountId: change.accountId, version: change.version }) : withVersion(change.document, change.version);

/** ServiceStack sends a built-in SVG when a user has no profile picture; so do we. */
const PROFILE_URL =
  'data:image/svg+xml,' +
  encodeURIComponent('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><circle cx="16" cy="12" r="6" fill="#888"/><path d="M4 30c0-7 5-11 12-11s12 4 12 11z" fill="#888"/></svg>');
