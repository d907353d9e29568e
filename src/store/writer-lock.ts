/** Slots of the lock's shared memory. */
const OWNER = 0;
const BACKGROUND_WAITING = 1;
/** `OWNER` values. */
const FREE = 0;

/** Who takes the lock: the thread serving requests, or a background thread (the checkpointer). */
export type WriterRole = 'foreground' | 'background';

const ownerId = (role: WriterRole) => (role === 'foreground' ? 1 : 2);

/**
 * SQLite's one writer per file, shared by the threads of one process without ever blocking one:
 * `acquire` waits with `Atomics.waitAsync`, so the event loop of a thread waiting for the lock goes
 * on serving requests. Without it, a thread whose write met another connection's transaction would
 * sleep in SQLite's busy handler (1, 2, 5… ms), its event loop stopped.
 *
 * A waiting background thread goes next: it asks rarely and briefly, and the foreground, whose
 * transactions follow each other closely, would otherwise never leave it a turn. Other processes
 * (a CLI command beside the server) still meet at SQLite's own lock (busy_timeout).
 *
 * @example
 * const lock = WriterLock.create();                              // the serving thread
 * new Worker(url, { workerData: { lock: lock.buffer } });
 * const theirs = WriterLock.join(workerData.lock, 'background'); // the worker
 * await theirs.acquire(); try { … } finally { theirs.release(); }
 */
export class WriterLock {
  private readonly slots: Int32Array;

  private constructor(
    readonly buffer: SharedArrayBuffer,
    private readonly role: WriterRole,
  ) {
    this.slots = new Int32Array(buffer);
  }

  /** A new lock, held by no one, for the foreground. */
  static create(): WriterLock {
    return new WriterLock(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT), 'foreground');
  }

  /** The lock whose `buffer` another thread sent. */
  static join(buffer: SharedArrayBuffer, role: WriterRole): WriterLock {
    return new WriterLock(buffer, role);
  }

  /** Resolves once this thread holds the lock. Not reentrant: a holder that acquires again waits forever. */
  async acquire(): Promise<void> {
    const background = this.role === 'background';
    if (background) Atomics.add(this.slots, BACKGROUND_WAITING, 1);
    try {
      for (;;) {
        const waiting = background ? 0 : Atomics.load(this.slots, BACKGROUND_WAITING);
        if (waiting) {
          await settled(this.slots, BACKGROUND_WAITING, waiting);
          continue;
        }
        const owner = Atomics.compareExchange(this.slots, OWNER, FREE, ownerId(this.role));
        if (owner === FREE) return;
        await settled(this.slots, OWNER, owner);
      }
    } finally {
      if (background) {
        Atomics.sub(this.slots, BACKGROUND_WAITING, 1);
        Atomics.notify(this.slots, BACKGROUND_WAITING);
      }
    }
  }

  release(): void {
    Atomics.store(this.slots, OWNER, FREE);
    Atomics.notify(this.slots, OWNER);
  }

  /**
   * The background thread has ended: frees the lock if it held it, and the foreground stops letting
   * it go first (it may have ended waiting). One background thread per lock.
   */
  abandonBackground(): void {
    if (Atomics.compareExchange(this.slots, OWNER, ownerId('background'), FREE) === ownerId('background')) Atomics.notify(this.slots, OWNER);
    Atomics.store(this.slots, BACKGROUND_WAITING, 0);
    Atomics.notify(this.slots, BACKGROUND_WAITING);
  }
}

/** Resolves when `slots[index]` is no longer `value` (at once if it already is not). */
async function settled(slots: Int32Array, index: number, value: number): Promise<void> {
  const wait = Atomics.waitAsync(slots, index, value);
  if (wait.async) await wait.value;
}
