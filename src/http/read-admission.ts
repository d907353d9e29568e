import { ApiError } from './errors.js';

export interface ReadLimits {
  /** Reads running at once: what the read connections serve without queueing among themselves. */
  readonly concurrency: number;
  /** Reads waiting for a turn, all callers together; one caller may hold at most half of them. */
  readonly queue: number;
}

interface Waiting {
  start(): void;
}

// A first guess of a read's time for Retry-After, before any was measured (bench/read-load: ~20 ms).
const FIRST_GUESS_MS = 20;

/**
 * Admission for the long reads (lists, text search), so they can never starve the writes: at most
 * `concurrency` run at once and the rest wait in a bounded queue, callers served in turn (round
 * robin), so one client's 200 connections delay another's read by one read each, not by 200.
 * Past the bound a read is refused at once with 503 and a `Retry-After` from the queue's length
 * and the reads' measured time. Writes (webhooks, events, commands) never pass through here: they
 * meet at most `concurrency` running reads on the store, never a queue of them (issue 13: before,
 * a signed callback waited behind every queued read, p99 15 s).
 *
 * @example
 * const admission = new ReadAdmission({ concurrency: 2, queue: 64 });
 * const page = await admission.run(callerKey, () => reads.listPage(request));
 */
export class ReadAdmission {
  private running = 0;
  private waiting = 0;
  /** Each caller's waiting reads; the Map's order is the callers' turn. */
  private readonly queues = new Map<string, Waiting[]>();
  private readMs = FIRST_GUESS_MS;

  constructor(private readonly limits: ReadLimits) {
    if (!(limits.concurrency >= 1) || !(limits.queue >= 0)) {
      throw new RangeError(`read limits need concurrency ≥ 1 and queue ≥ 0, got ${JSON.stringify(limits)}`);
    }
  }

  /** Runs `read` in `caller`'s turn, or rejects with 503 ServiceUnavailable when the queue is full. */
  run<T>(caller: string, read: () => Promise<T>): Promise<T> {
    if (this.running < this.limits.concurrency && this.waiting === 0) return this.start(read);
    const mine = this.queues.get(caller);
    if (this.waiting >= this.limits.queue || (mine?.length ?? 0) >= Math.max(1, Math.floor(this.limits.queue / 2))) {
      return Promise.reject(this.refusal());
    }
    return new Promise<T>((resolve, reject) => {
      const waiting: Waiting = { start: () => void this.start(read).then(resolve, reject) };
      if (mine) mine.push(waiting);
      else this.queues.set(caller, [waiting]);
      this.waiting++;
    });
  }

  /**
   * Counts the read as running at once but starts it in the event loop's check phase, not in the
   * poll phase that received it. A read on SQLite's own connection runs synchronously (better-sqlite3
   * behind promises that resolve at once): started at once, it would end before the poll phase
   * parsed the next request, so admission would never see two at a time, and the writes' group
   * commit (a setImmediate) would wait for every read of the poll phase (measured, bench/read-load
   * with --read-workers 0: every callback past 15 s, not one read refused).
   */
  private start<T>(read: () => Promise<T>): Promise<T> {
    this.running++;
    return new Promise<T>((resolve, reject) => {
      setImmediate(() => {
        const began = performance.now();
        const done = () => {
          this.running--;
          // Moving average of the last ~10 reads: Retry-After follows what reads cost now.
          this.readMs += (performance.now() - began - this.readMs) / 10;
          this.next();
        };
        let running: Promise<T>;
        try {
          running = read();
        } catch (error) {
          running = Promise.reject(error);
        }
        running.finally(done).then(resolve, reject);
      });
    });
  }

  private next() {
    while (this.running < this.limits.concurrency && this.waiting > 0) {
      const [caller, queue] = this.queues.entries().next().value as [string, Waiting[]];
      const waiting = queue.shift()!;
      // The caller goes to the back of the turn, or leaves it with nothing waiting.
      this.queues.delete(caller);
      if (queue.length) this.queues.set(caller, queue);
      this.waiting--;
      waiting.start();
    }
  }

  private refusal(): ApiError {
    const seconds = Math.max(1, Math.ceil(((this.waiting + this.running) * this.readMs) / this.limits.concurrency / 1000));
    return new ApiError('ServiceUnavailable', `Too many reads are waiting; try again in ${seconds} seconds`, [], { 'retry-after': String(seconds) });
  }
}
