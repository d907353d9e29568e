interface Waiter<V> {
  resolve(value: V | undefined): void;
  reject(error: unknown): void;
}

/**
 * Point lookups asked for in the same turn of the event loop, answered together by one query
 * (the DataLoader pattern). Under load a server reads many sockets in one poll phase; one query
 * for all of them pays SQLite's read-transaction start and Kysely's connection hand-off once
 * instead of per request, and PostgreSQL's round trip once. A lone request waits only for the
 * `setImmediate` at the end of its poll phase.
 *
 * @example
 * const byId = new BatchedLookup((ids) => repository.findMany(ids));
 * const session = await byId.get('6571f0c2…');
 */
export class BatchedLookup<K, V> {
  private pending = new Map<K, Waiter<V>[]>();
  private scheduled = false;

  /** `load` answers a batch of distinct keys (at most `maxBatch`) with what it found, by key. */
  constructor(
    private readonly load: (keys: readonly K[]) => Promise<ReadonlyMap<K, V>>,
    private readonly maxBatch = 64,
  ) {}

  get(key: K): Promise<V | undefined> {
    return new Promise((resolve, reject) => {
      const waiters = this.pending.get(key);
      if (waiters) waiters.push({ resolve, reject });
      else this.pending.set(key, [{ resolve, reject }]);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(this.flush);
      }
    });
  }

  private readonly flush = () => {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = new Map();
    const keys = [...batch.keys()];
    for (let from = 0; from < keys.length; from += this.maxBatch) {
      const chunk = keys.slice(from, from + this.maxBatch);
      this.load(chunk).then(
        (found) => {
          for (const key of chunk) for (const waiter of batch.get(key)!) waiter.resolve(found.get(key));
        },
        (error: unknown) => {
          for (const key of chunk) for (const waiter of batch.get(key)!) waiter.reject(error);
        },
      );
    }
  };
}
