import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Caller } from '../http/operation.js';
import type { EventStream } from '../http/sse.js';
import { noChangeSignals, type ChangeSignals } from '../store/change-signals.js';
import type { Database } from '../store/schema.js';
import { ChangeFactsReader } from './change-facts.js';
import { ChangeLog } from './change-log.js';
import type { ReadableChannel } from './channels.js';
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

/** Changes read from the log per query, live and during a resume. */
const PAGE = 500;

/** The longest the pump writes before letting requests in. */
const YIELD_AFTER_MS = 5;

/** What a new subscription is given to start from. */
export type StartFrom = { readonly live: true } | { readonly after: number };

/**
 * The server's live subscriptions and the pump that feeds them from the change log.
 *
 * One reader follows the log for the whole process (woken by local commits, another instance's
 * NOTIFY, or the poll) and hands each change, with its facts worked out once, to every live
 * subscription. A resuming subscription first reads its own history (only its accounts' changes)
 * and turns live in the same turn of the event loop in which it is found level with the pump, so the
 * hand-over has no gap and no duplicate (subscription.ts `cursor`).
 */
export class ServerEvents {
  private readonly subscriptions = new Map<string, Subscription>();
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
  ) {
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
    const principal = principalOf(caller);
    let n = 0;
    for (const s of this.subscriptions.values()) if (s.principal === principal) n++;
    return n;
  }

  /**
   * Registers a subscription on an open stream, after its onConnect frame: announces it to its
   * channels, then brings it live (from now, or after a resume point through its history).
   */
  async add(caller: Caller, channels: readonly ReadableChannel[], displayName: string, stream: EventStream, onConnect: (s: Subscription) => void, from: StartFrom): Promise<Subscription> {
    await this.start();
    const id = randomBytes(16).toString('base64url');
    const subscription = new Subscription(id, caller, channels, displayName, this.now(), stream, 'live' in from ? this.position : from.after);
    await this.registry.add(subscription);
    this.subscriptions.set(id, subscription);
    stream.onClose(() => this.remove(subscription));
    onConnect(subscription);
    this.announce(subscription, 'onJoin', channels);
    if ('live' in from) subscription.live = true;
    else await this.catchUp(subscription);
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
    subscription.channels = channels;
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
    const stop = await this.stopListening?.catch(() => undefined);
    await stop?.();
  }

  private remove(subscription: Subscription) {
    if (!this.subscriptions.delete(subscription.id)) return;
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

  /** `{channel}@cmd.{name}` with the subscription's Meta to everyone in each channel (ServiceStack §1.5); no id. */
  private announce(subscription: Subscription, name: 'onJoin' | 'onLeave', channels: readonly ReadableChannel[]) {
    this.sendToChannels(channels, name, JSON.stringify(subscription.meta()));
  }

  /**
   * Sends a control frame to the subscriptions in `channels`, as each of them names the channel. `*`
   * (and an id found in several accounts) means different accounts to different callers: a
   * subscription hears of another only if it may read every account of the other's channel.
   */
  private sendToChannels(channels: readonly ReadableChannel[], name: string, body: string) {
    for (const other of this.subscriptions.values()) {
      for (const mine of other.channels) {
        const theirs = channels.find((c) => c.name === mine.name);
        if (theirs && covers(mine.accountIds, theirs.accountIds)) other.stream.send(`${mine.name}@cmd.${name}`, body);
      }
    }
  }

  private async pump() {
    let since = performance.now();
    for (;;) {
      const page = await this.log.after(this.position, PAGE);
      for (const change of page) {
        // Fan-out is synchronous writes (~10 µs a subscriber): without a pause a page of changes to
        // 1,000 subscribers held the event loop for seconds and ingest's requests waited behind it.
        // Safe at any change boundary: everything up to `position` has been handed out.
        if (performance.now() - since > YIELD_AFTER_MS) {
          await new Promise((resolve) => setImmediate(resolve));
          since = performance.now();
        }
        const facts = await this.facts.factsOf(change);
        const frames = new ChangeFrames(change);
        for (const subscription of this.subscriptions.values()) {
          if (subscription.live && !subscription.deliver(change, facts, frames)) this.cutOff(subscription);
        }
        this.position = change.position;
      }
      if (page.length < PAGE) return;
    }
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
      for (const change of page) {
        if (subscription.stream.closed) return;
        if (!subscription.deliver(change, await this.facts.factsOf(change))) return this.cutOff(subscription);
      }
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

/** Whether a reader of `readable` may see everything of `accounts`. */
function covers(readable: readonly string[] | 'all', accounts: readonly string[] | 'all'): boolean {
  if (readable === 'all') return true;
  return accounts !== 'all' && accounts.every((a) => readable.includes(a));
}
