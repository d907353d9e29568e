import { performance } from 'node:perf_hooks';

/**
 * The share of the event loop the fan-out takes while changes keep coming: after a round that wrote
 * for t ms the next one waits t·(1/share − 1). A write costs a system call per subscriber whatever it
 * carries (~5 µs on loopback), so rounds that wait gather more changes each: at 1,000 subscribers and
 * 200 changes/s a round per change took the whole loop and ingest starved (bench/stream.ts: 25% of
 * its rate alone, p99 2 s); paced, ingest keeps the rest and a change waits about one round.
 */
const DELIVERY_SHARE = 0.5;

/**
 * The share while ingest runs at full speed: ingest then keeps up to 95% (large rounds meet
 * MAX_ROUND_WAIT_MS first), and delivery falls behind in the log, not in memory, and catches up
 * after. With 1,000 subscribers ingest kept 95-103% of its pace alone (bench/stream.ts, medians;
 * 85-91% before INGEST_SURGE, when a burst's first 200 ms ran at half speed).
 *
 * Full speed is either sign of it: the rest of the process fills more than BUSY of the time the
 * fan-out leaves it, or writes wait to be committed (on average INGEST_BACKLOG or more when rounds
 * end). The second is the one seen when the clients share the machine: the server then waits on its
 * sockets, looks idle, and its callers queue. At a steady 200 callbacks/s answered in ~15 ms about 3
 * writes wait at any time (Little's law): a threshold of 3 called that saturated now and then, and
 * such a round waited many times its cost.
 */
const DELIVERY_SHARE_BUSY = 0.05;
const BUSY = 0.9;
const INGEST_BACKLOG = 8;

/**
 * Writes waiting at one round's end that mean full speed at once, without waiting for the window:
 * a burst of callbacks otherwise ran at half speed for its first 200 ms. A steady 200/s showed at
 * most 6 at a round's end; 16 callers in a closed loop, 14-16.
 */
const INGEST_SURGE = 12;

/**
 * How long the loop is watched before it is called busy or not. Judged over the few milliseconds
 * between two rounds, one callback's commit made the loop "busy" at 200 changes/s: that round then
 * waited nine times its cost (up to 100 ms), which was the whole p99 of bench/stream.ts at 1,000
 * subscribers.
 */
const WINDOW_MS = 200;

/**
 * The longest a round waits, whatever the last one cost: the bound on the pacing's latency. It binds
 * first at full speed when rounds are large (64 changes to 1,000 subscribers: ~25 ms, 9%); 500 ms
 * there gave ingest no more (96-99% against 93-103%).
 */
const MAX_ROUND_WAIT_MS = 250;

/** What the pacing reads of the process: a clock and the event loop's busy time, both in ms. */
export interface LoopMeter {
  now(): number;
  activeMs(): number;
}

export const processLoop: LoopMeter = {
  now: () => performance.now(),
  activeMs: () => performance.eventLoopUtilization().active,
};

/**
 * How long the pump waits between rounds, so the fan-out keeps to its share of the event loop and
 * gives way when the rest of the process needs the whole of it.
 */
export class DeliveryPacing {
  private windowStart: number;
  private activeAtStart: number;
  /** Milliseconds of rounds within the window: the fan-out's own work, not counted as load. */
  private delivering = 0;
  /** Writes waiting when each round of the window ended, summed, and the rounds. */
  private backlog = 0;
  private rounds = 0;
  private busy = false;

  constructor(
    private readonly ingestWaiting: () => number,
    private readonly loop: LoopMeter = processLoop,
  ) {
    this.windowStart = loop.now();
    this.activeAtStart = loop.activeMs();
  }

  /** After a round that wrote for `cost` ms: how long to wait before the next one. */
  waitAfter(cost: number): number {
    this.delivering += cost;
    const waiting = this.ingestWaiting();
    this.backlog += waiting;
    this.rounds++;
    const now = this.loop.now();
    const elapsed = now - this.windowStart;
    if (elapsed >= WINDOW_MS) {
      const active = this.loop.activeMs();
      const left = elapsed - this.delivering;
      this.busy = this.backlog / this.rounds >= INGEST_BACKLOG || (left > 0 && (active - this.activeAtStart - this.delivering) / left > BUSY);
      this.windowStart = now;
      this.activeAtStart = active;
      this.delivering = 0;
      this.backlog = 0;
      this.rounds = 0;
    }
    if (waiting >= INGEST_SURGE) this.busy = true;
    return Math.min(MAX_ROUND_WAIT_MS, cost * (1 / (this.busy ? DELIVERY_SHARE_BUSY : DELIVERY_SHARE) - 1));
  }
}
