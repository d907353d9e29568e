export interface SearchIndexer {
  /** Waits for a running batch, indexes whatever is still noted, then stops. */
  stop(): Promise<void>;
}

export interface SearchIndexerOptions {
  /** Indexes up to `limit` noted sessions in one transaction; says how many it indexed. */
  readonly indexPending: (limit: number) => Promise<number>;
  /** Sessions per batch: bounds how long one batch holds the writer (and, on SQLite, the event loop). */
  readonly batch: number;
  /** Pause after a batch that emptied the notes. */
  readonly intervalMs: number;
  readonly onError: (error: unknown) => void;
}

/**
 * Keeps the search index caught up with the writes noted for it (text-search.ts, `indexPending`):
 * a batch, then another at once while a batch comes back full, else a pause. The lag is the pause
 * plus a batch; searches read the notes, so it delays no answer, it only bounds how many rows a
 * search must check itself.
 */
export function startSearchIndexer(options: SearchIndexerOptions): SearchIndexer {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  const schedule = (delayMs: number) => {
    if (stopped) return;
    timer = setTimeout(() => (running = round()), delayMs);
    timer.unref();
  };
  const round = async () => {
    let indexed = 0;
    try {
      indexed = await options.indexPending(options.batch);
    } catch (error) {
      options.onError(error);
    }
    schedule(indexed >= options.batch ? 0 : options.intervalMs);
  };
  schedule(0);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
      // A store closing leaves its index caught up: a CLI's writes (generate's archive step notes
      // every session it archives) must not leave every later search checking them row by row.
      try {
        while ((await options.indexPending(options.batch)) > 0);
      } catch (error) {
        options.onError(error);
      }
    },
  };
}
