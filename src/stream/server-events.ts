import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Kysely } from 'kysely';
import type { Caller } from '../http/operation.js';
import { sseFrame, SseFrames, type EventStream } from '../http/sse.js';
import { noChangeSignals, type ChangeSignals } from '../store/change-signals.js';
import type { Database } from '../store/schema.js';
import { ChangeFactsReader } from './change-facts.js';
import { DeliveryPacing } from './delivery-pacing.js';
import { ChangeLog } from './change-log.js';
import { Audiences } from './audiences.js';
import { matches, type ChangeFacts, type ReadableChannel } from './channels.js';
import type { SessionChange } from './change-log.js';
import { ChangeFrames, principalOf, Subscription, type SubscriptionMeta } from './subscription.js';
import { SubscriptionRegistry } from './subscription-registry.js';

/** The stream's limits and timings; every one is configurable (src/config.ts) and sent in onConnect. */
export interface StreamLimits {
  /** How often clients POST their heartbeat (ServiceStack: 10 s). */
  readonly heartbeatIntervalMs: number;
  /** A subscription without a heartbeat for this long is ended (ServiceStack: 30 s). */
  readonly idleTimeoutMs: number;
  /** Changes older than this are pruned; a resume from before them gets cmd.onResync. */
  readonly historyMs: number;
  readonly maxChannels: number;
  /** Open subscriptions per user or API key. */
  readonly maxSubscriptions: number;
  /** Unsent bytes a client may fall behind by before its stream is cut (it resumes from its last id). */
  readonly maxQueuedBytes: number;
  /** How often the change log is read without a wake-up: the floor of latency for another instance's commits. */
  readonly pollMs: number;
}

export const DEFAULT_STREAM_LIMITS: StreamLimits = Object.freeze({
  heartbeatIntervalMs: 10_000,
  idleTimeoutMs: 30_000,
  historyMs: 24 * 3600_000,
  maxChannels: 20,
  maxSubscriptions: 10,
  maxQueuedBytes: 1 << 20,
  pollMs: 1_000,
});

/** Changes read from the log per query during a resume. */
const PAGE = 500;

/**
 * Changes handed out per round at most: ~1.5 KB each, so a round's write to one subscriber stays
 * near 100 KB, well inside its maxQueuedBytes, however far behind the pump is.
 */
const ROUND = 64;

/**
 * The longest the pump writes before letting requests in. At 5 ms a round to 1,000 subscribers
 * (~11 ms) paused once or twice, and what ran in the pause (callbacks, a scavenge) held back the
 * rest of the round: p99 commit → frame 40-65 ms; at 12, 28-37 ms (bench/stream.ts). Callbacks wait
 * a few ms more; a round to 5,000 still lets them in every 12 ms.
 */
const YIELD_AFTER_MS = 12;

/** A control frame (onJoin, onLeave) for everyone in some channels, sent with the next round. */
interface Announcement {
  readonly channels: readonly ReadableChannel[];
  readonly name: 'onJoin' | 'onLeave';
  readonly body: string;
}

/** One frame of a round for an audience: a change's (with its position) or an announcement's. */
interface Part {
  readonly frame: Buffer;
  readonly position?: number;
}


/**
 * The server's live subscriptions and the pump that feeds them from the change log.
 *
 * One reader follows the log for the whole process (woken by local commits, another instance's
 * NOTIFY, or the poll) and hands each change, with its facts worked out once, to every live
 * subscription. Every new subscription (resuming or fresh) first reads its own history (only its accounts' changes)
 * and turns live in the same turn of the event loop in which it is found level with the pump, so the
 * hand-over has no gap and no duplicate (subscription.ts `cursor`).
 */
export class ServerEvents {
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly audiences = new Audiences();
  /** Open subscriptions per principal (maxSubscriptions), kept so a connect does not count them all. */
  private readonly perPrincipal = new Map<string, number>();
  private announcements: Announcement[] = [];
  /** When the next round may start (performance.now()), so the fan-out keeps to its share. */
  private nextRoundAt = 0;
  private readonly pacing: DeliveryPacing;
  /** Ends the pump's wait between rounds early (close). */
  private pause?: () => void;
  private readonly log: ChangeLog;
  private readonly facts: ChangeFactsReader;
  /** The last position the pump has handed to live subscriptions. */
  private position = 0;
  private started?: Promise<void>;
  private pumping?: Promise<void>;
  private again = false;
  private readonly timers: NodeJS.Timeout[] = [];
  private closed = false;
  private stopListening?: Promise<() => Promise<void>>;
  private sweeping = false;
  private sweepAgain = false;
  /** Subscriptions in the store, for heartbeats and unregisters that land on another instance. */
  readonly registry: SubscriptionRegistry;

  constructor(
    db: Kysely<Database>,
    readonly limits: StreamLimits = DEFAULT_STREAM_LIMITS,
    private readonly signals: ChangeSignals = noChangeSignals,
    private readonly now: () => number = Date.now,
    /** Writes waiting to be committed (SessionWriter.waiting): the fan-out gives way to a backlog. */
    ingestWaiting: () => number = () => 0,
  ) {
    this.pacing = new DeliveryPacing(ingestWaiting);
    this.log = new ChangeLog(db);
    this.facts = new ChangeFactsReader(db, now);
    this.registry = new SubscriptionRegistry(db);
  }

  /**
   * Starts following the log from its head (woken by other instances' signals, and polling), the
   * expiry sweep and history pruning; idempotent. Lazy: an instance nobody subscribes to holds no
   * LISTEN connection and reads nothing.
   */
  start(): Promise<void> {
    this.started ??= (async () => {
      this.stopListening = this.signals.listen((signal) => (signal.kind === 'subscription' ? void this.sweep(signal.id) : this.wake()));
      await this.stopListening;
      this.position = (await this.log.head()).position;
      const every = (ms: number, run: () => unknown) => {
        const timer = setInterval(run, ms);
        timer.unref();
        this.timers.push(timer);
      };
      every(this.limits.pollMs, () => this.wake());
      every(this.sweepEveryMs, () => void this.sweep());
      every(Math.min(60_000, this.limits.historyMs), () => void this.log.prune(new Date(this.now() - this.limits.historyMs).toISOString()).catch(() => {}));
    })();
    return this.started;
  }

  /** Reads what was committed since the pump's position and hands it out; calls made meanwhile coalesce. */
  wake(): void {
    if (this.closed || !this.started) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = this.pump().finally(() => {
      this.pumping = undefined;
      if (this.again) {
        this.again = false;
        this.wake();
      }
    });
  }

  /**
   * How often subscriptions are swept (expiry; what other instances recorded): ServiceStack sweeps
   * every 5 s; a tenth of the idle timeout keeps expiry within 10% of it.
   */
  get sweepEveryMs(): number {
    return Math.min(5_000, Math.max(100, this.limits.idleTimeoutMs / 10));
  }

  /** Where the log stands, for a fresh subscription's start and resume checks. */
  head() {
    return this.log.head();
  }

  subscriptionsOf(caller: Caller): number {
    return this.perPrincipal.get(principalOf(caller)) ?? 0;
  }

  /**
   * Registers a subscription on an open stream, after its onConnect frame: announces it to its
   * channels, then brings it live after position `after` through its history. A fresh subscription
   * starts after the head its onConnect names (streamPosition), not at the pump's position: changes
   * the pump hands out while it is being registered would otherwise fall between the two.
   */
  async add(caller: Caller, channels: readonly ReadableChannel[], displayName: string, stream: EventStream, onConnect: (s: Subscription) => void, after: number): Promise<Subscription> {
    await this.start();
    const id = randomBytes(16).toString('base64url');
    const subscription = new Subscription(id, caller, channels, displayName, this.now(), stream, after);
    await this.registry.add(subscription);
    this.subscriptions.set(id, subscription);
    this.audiences.add(subscription);
    this.perPrincipal.set(subscription.principal, this.subscriptionsOf(caller) + 1);
    stream.onClose(() => this.remove(subscription));
    onConnect(subscription);
    // To everyone in its channels, itself included, with the next round: before any change reaches
    // it live (a resume's history may come first).
    this.announce(subscription, 'onJoin', channels);
    await this.catchUp(subscription);
    return subscription;
  }

  get(id: string): Subscription | undefined {
    return this.subscriptions.get(id);
  }

  /**
   * The Meta of every instance's subscriptions in `channels` (the caller's, already authorized) that
   * the caller may see: those whose channel of the same name lies in accounts the caller's channel covers.
   */
  async list(channels: readonly ReadableChannel[]): Promise<SubscriptionMeta[]> {
    const all = await this.registry.all(this.now() - this.limits.idleTimeoutMs);
    return all.filter((s) => s.channels.some((theirs) => channels.some((mine) => mine.name === theirs.name && covers(mine.accountIds, theirs.accountIds)))).map((s) => s.meta);
  }

  /** A heartbeat for a subscription another instance holds: recorded, and that instance nudged to answer it with cmd.onHeartbeat. */
  async pulseElsewhere(id: string, caller: Caller | undefined): Promise<boolean> {
    if (!(await this.registry.pulse(id, caller, this.now()))) return false;
    this.signals.nudge(id);
    return true;
  }

  /**
   * Changes the channels of a subscription another instance holds, and answers once the holder has
   * applied them (so every change committed after the answer goes out on the new channels): 'gone'
   * when the subscription ended meanwhile, 'timeout' when its holder did not answer (it is down).
   */
  async updateElsewhere(id: string, channels: readonly ReadableChannel[]): Promise<'applied' | 'gone' | 'timeout'> {
    const request = await this.registry.requestChannels(id, channels);
    this.signals.nudge(id);
    // Two sweeps: the nudge may be lost, and a sweep running when it lands may have read before it.
    const deadline = this.now() + 2 * this.sweepEveryMs + 1_000;
    for (;;) {
      const state = await this.registry.requestState(id, request);
      if (state !== 'waiting') return state;
      if (this.now() > deadline) return 'timeout';
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  pulse(subscription: Subscription): void {
    subscription.lastPulse = this.now();
    subscription.stream.send('cmd.onHeartbeat', JSON.stringify(subscription.meta()));
  }

  /**
   * Changes a live subscription's channels: onUpdate to its old and new channels, onLeave to those it
   * left; recorded for the other instances' lists (and, with `request`, that request is done).
   */
  async update(subscription: Subscription, channels: readonly ReadableChannel[], request?: string): Promise<void> {
    const before = subscription.channels;
    const left = before.filter((c) => !channels.some((n) => n.name === c.name));
    this.audiences.remove(subscription);
    subscription.channels = channels;
    this.audiences.add(subscription);
    const all = [...channels, ...left];
    this.sendToChannels(all, 'onUpdate', JSON.stringify(subscription.meta()));
    if (left.length) this.announce(subscription, 'onLeave', left);
    await this.registry.setChannels(subscription, request);
  }

  /** Ends a subscription's stream; its channels get onLeave. */
  async unregister(subscription: Subscription): Promise<void> {
    subscription.stream.end();
    // Gone before the answer, here and in the registry: a heartbeat that follows, on this instance
    // or another, finds nothing (the stream's own close would drop the row only later).
    this.remove(subscription);
    await this.registry.remove(subscription.id);
  }

  /** Ends every stream (the server is closing: open responses would hold it open) and stops listening. */
  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers.splice(0)) clearInterval(timer);
    for (const subscription of this.subscriptions.values()) subscription.stream.end();
    // Nothing reads the store once this resolves (the store may be closed next).
    this.pause?.();
    await this.pumping?.catch(() => undefined);
    const stop = await this.stopListening?.catch(() => undefined);
    await stop?.();
  }

  private remove(subscription: Subscription) {
    if (!this.subscriptions.delete(subscription.id)) return;
    this.audiences.remove(subscription);
    const open = this.subscriptionsOf(subscription.caller) - 1;
    if (open > 0) this.perPrincipal.set(subscription.principal, open);
    else this.perPrincipal.delete(subscription.principal);
    void this.registry.remove(subscription.id).catch(() => {});
    this.announce(subscription, 'onLeave', subscription.channels);
  }

  /**
   * Ends subscriptions unregistered on another instance and those without a heartbeat (here or
   * elsewhere) for idleTimeoutMs; answers heartbeats and applies channel changes other instances
   * took for its subscriptions. A store that cannot be read skips all but the expiry. With `only`
   * (a nudge about one subscription), looks at that one alone, if held here: one nudge per heartbeat
   * must not cost a read of every subscription. Asked for while a sweep runs, a whole sweep follows
   * it, as it may have read the store before the change.
   */
  private async sweep(only?: string): Promise<void> {
    const nudged = only === undefined ? undefined : this.subscriptions.get(only);
    if (only !== undefined && !nudged) return;
    if (this.sweeping) {
      this.sweepAgain = true;
      return;
    }
    this.sweeping = true;
    try {
      const now = this.now();
      const held = nudged ? [nudged] : [...this.subscriptions.values()];
      const synced = await this.registry.sync(held, now, nudged ? undefined : now - 2 * this.limits.idleTimeoutMs).catch(() => undefined);
      for (const subscription of synced?.pulsed ?? []) if (!subscription.stream.closed) subscription.stream.send('cmd.onHeartbeat', JSON.stringify(subscription.meta()));
      for (const { subscription, channels, request } of synced?.updates ?? []) {
        if (!subscription.stream.closed) await this.update(subscription, channels, request).catch(() => {});
      }
      const deadline = this.now() - this.limits.idleTimeoutMs;
      for (const subscription of held) if (synced?.gone.has(subscription.id) || subscription.lastPulse < deadline) subscription.stream.end();
    } finally {
      this.sweeping = false;
    }
    if (this.sweepAgain && !this.closed) {
      this.sweepAgain = false;
      await this.sweep();
    }
  }

  /**
   * `{channel}@cmd.{name}` with the subscription's Meta to everyone in each channel (ServiceStack
   * §1.5), no id, with the next round: a thousand clients reconnecting at once would otherwise cost
   * a million writes (each join to everyone); batched, each client gets one write per round.
   */
  private announce(subscription: Subscription, name: 'onJoin' | 'onLeave', channels: readonly ReadableChannel[]) {
    this.announcements.push({ channels, name, body: JSON.stringify(subscription.meta()) });
    this.wake();
  }

  /**
   * Sends a control frame now to the subscriptions in `channels`, as each of them names the channel.
   * `*` (and an id found in several accounts) means different accounts to different callers: a
   * subscription hears of another only if it may read every account of the other's channel.
   */
  private sendToChannels(channels: readonly ReadableChannel[], name: string, body: string) {
    for (const audience of this.audiences.values()) {
      const frames = controlFrames(audience.channels, channels, name, body);
      if (!frames.length) continue;
      const bytes = SseFrames.of(frames);
      for (const member of audience.members) member.stream.write(bytes);
    }
  }

  /**
   * Rounds until the log and the announcements are drained: each reads what was committed since the
   * pump's position (up to ROUND changes) and writes it, with the announcements made meanwhile, to
   * every audience in one write per subscriber; then waits so the fan-out keeps to its share.
   */
  private async pump() {
    for (;;) {
      const wait = this.nextRoundAt - performance.now();
      if (wait > 1) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, wait);
          this.pause = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.pause = undefined;
      }
      if (this.closed) return;
      if (!this.subscriptions.size && !this.announcements.length) {
        // Nobody to hand changes to (every subscriber left): move to the head without reading them.
        // One added meanwhile reads its own history (catchUp) but may have turned live on the old
        // position, so then this round reads as usual.
        const head = (await this.log.head()).position;
        if (!this.subscriptions.size) {
          this.position = Math.max(this.position, head);
          return;
        }
      }
      const page = await this.log.after(this.position, ROUND);
      const facts: ChangeFacts[] = [];
      for (const change of page) facts.push(await this.facts.factsOf(change));
      if (!page.length && !this.announcements.length) return;
      // From here to the position's move, one turn: a resume that finds itself level with the pump
      // afterwards has read this round's changes itself (catchUp).
      const announcements = this.announcements;
      this.announcements = [];
      const audiences = this.audiences.snapshot();
      if (page.length) this.position = page.at(-1)!.position;
      const cost = await this.round(page, facts, announcements, audiences);
      this.nextRoundAt = performance.now() + this.pacing.waitAfter(cost);
      if (page.length < ROUND && !this.announcements.length) return;
    }
  }

  /** Writes one round to each audience's members; returns the milliseconds spent writing (not waiting). */
  private async round(page: readonly SessionChange[], facts: readonly ChangeFacts[], announcements: readonly Announcement[], audiences: ReturnType<Audiences['snapshot']>): Promise<number> {
    const changeFrames = page.map((change) => new ChangeFrames(change));
    const controls = new Map<Announcement, Map<string, Buffer>>();
    const first = page[0]?.position ?? Infinity;
    const last = page.at(-1)?.position ?? 0;
    let cost = 0;
    let since = performance.now();
    for (const { channels, members } of audiences) {
      const parts: Part[] = [];
      for (const a of announcements) {
        let byName = controls.get(a);
        if (!byName) controls.set(a, (byName = new Map()));
        for (const frame of controlFrames(channels, a.channels, a.name, a.body, byName)) parts.push({ frame });
      }
      page.forEach((change, i) => {
        const channel = channels.find((c) => matches(c, facts[i]!));
        if (channel) parts.push({ frame: changeFrames[i]!.on(channel.name), position: change.position });
      });
      let whole: SseFrames | undefined;
      for (const member of members) {
        // Fan-out is synchronous writes (~10 µs a subscriber): let requests in now and then. Safe: the
        // round's members and frames were fixed at its start.
        if (performance.now() - since > YIELD_AFTER_MS) {
          cost += performance.now() - since;
          await new Promise((resolve) => setImmediate(resolve));
          since = performance.now();
        }
        if (member.stream.closed) continue;
        let bytes: SseFrames | undefined;
        if (member.live && member.cursor < first) bytes = whole ??= parts.length ? SseFrames.of(parts.map((p) => p.frame)) : undefined;
        else {
          // Still reading its history, or already past some of these changes: a slice of its own.
          const own = parts.filter((p) => p.position === undefined || (member.live && p.position > member.cursor));
          if (own.length) bytes = SseFrames.of(own.map((p) => p.frame));
        }
        if (member.live) member.cursor = Math.max(member.cursor, last);
        if (bytes && !member.stream.write(bytes)) this.cutOff(member);
      }
    }
    return cost + (performance.now() - since);
  }

  /**
   * Reads a resuming subscription's history until it is level with the pump, then turns it live.
   * Level means: a read that came back short began after the pump had reached `target`, and the
   * pump is still there now, in the same turn, so everything past it will be handed out live.
   */
  private async catchUp(subscription: Subscription) {
    const accounts = subscription.accounts();
    for (;;) {
      const target = this.position;
      const page = await this.log.after(subscription.cursor, PAGE, accounts === 'all' ? undefined : accounts);
      const facts: ChangeFacts[] = [];
      for (const change of page) facts.push(await this.facts.factsOf(change));
      if (subscription.stream.closed) return;
      const frames = subscription.framesOf(page, facts);
      if (frames.length && !subscription.stream.write(SseFrames.of(frames))) return this.cutOff(subscription);
      if (page.length === PAGE) continue;
      if (this.position === target) {
        subscription.cursor = Math.max(subscription.cursor, target);
        subscription.live = true;
        return;
      }
    }
  }

  /** A client too far behind: its stream ends, and its reconnect resumes from the last id it got. */
  private cutOff(subscription: Subscription) {
    subscription.stream.end();
  }
}

/**
 * The frames of a control message sent to `channels` that an audience following `mine` gets: one per
 * channel of the audience named in `channels` whose accounts it may all read. Cached by channel name
 * in `byName` across audiences.
 */
function controlFrames(mine: readonly ReadableChannel[], channels: readonly ReadableChannel[], name: string, body: string, byName = new Map<string, Buffer>()): Buffer[] {
  const frames: Buffer[] = [];
  for (const channel of mine) {
    const theirs = channels.find((c) => c.name === channel.name);
    if (!theirs || !covers(channel.accountIds, theirs.accountIds)) continue;
    let frame = byName.get(channel.name);
    if (!frame) byName.set(channel.name, (frame = sseFrame(`${channel.name}@cmd.${name}`, body)));
    frames.push(frame);
  }
  return frames;
}

/** Whether a reader of `readable` may see everything of `accounts`. */
function covers(readable: readonly string[] | 'all', accounts: readonly string[] | 'all'): boolean {
  if (readable === 'all') return true;
  return accounts !== 'all' && accounts.every((a) => readable.includes(a));
}
