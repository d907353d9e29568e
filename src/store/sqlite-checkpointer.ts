import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** How often the background connection copies the WAL back into the database file. */
export const CHECKPOINT_INTERVAL_MS = 100;

/**
 * The writer's own automatic checkpoint, in pages, kept as a backstop (SQLite's default is 1,000).
 * SQLite starts the WAL over only when a write begins with every frame already copied, which a
 * checkpoint running beside back-to-back commits rarely achieves: under sustained ingest the WAL
 * grows to this size (~40 MB), then the writer checkpoints the few frames the worker has not
 * copied yet, and the next commit starts the WAL over (measured: 36,000 events, 64 at a time: WAL ≤ 45 MB).
 */
export const WRITER_CHECKPOINT_BACKSTOP_PAGES = 10_000;

export interface Checkpointer {
  /** Stops the worker after its current checkpoint and closes its connection. */
  stop(): Promise<void>;
}

// CommonJS, evaluated by the worker (`eval: true`): a .ts worker file would not load under every
// runner this code runs in (tsx, vitest, compiled dist), and the body is tiny. PASSIVE never waits
// for the writer or readers: it copies what it can and leaves the rest for the next round.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const SQLite = require(workerData.driver);
const database = new SQLite(workerData.path);
database.pragma('synchronous = NORMAL');
const timer = setInterval(() => {
  try {
    database.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    parentPort.postMessage({ error: String(error) });
  }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  database.close();
  parentPort.close();
});
`;

/**
 * Runs a SQLite file's WAL checkpoints on a worker thread, off the request path. A checkpoint
 * syncs the WAL, copies its pages into the database file and syncs that: on the writer's connection
 * (SQLite's default, every 1,000 pages) it blocked the event loop for milliseconds, every request
 * behind it waiting (bench/ingest; ingest alone: wall time per event -40 %). The writer keeps a
 * high automatic checkpoint as a backstop (`WRITER_CHECKPOINT_BACKSTOP_PAGES`).
 *
 * Durability is unchanged for a killed process: a commit is in the WAL (the OS's page cache)
 * before it is acknowledged. With `synchronous=NORMAL` the WAL is synced at each checkpoint, so a
 * power cut can lose the commits of the last interval (`CHECKPOINT_INTERVAL_MS`) at most.
 *
 * @example
 * const checkpointer = startCheckpointer('./data/switchboard.db'); … await checkpointer.stop();
 */
export function startCheckpointer(path: string, intervalMs = CHECKPOINT_INTERVAL_MS, onError: (message: string) => void = () => {}): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, path, intervalMs } });
  worker.on('message', (message: { error?: string }) => message.error && onError(message.error));
  worker.on('error', (error) => onError(String(error)));
  // A server that forgets to close its store still exits.
  worker.unref();
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  let stopping: Promise<void> | undefined;
  return {
    stop() {
      // Ref'd again while stopping: an unref'd worker's exit would not keep an awaiting process alive.
      stopping ??= (worker.ref(), worker.postMessage('stop'), exited);
      return stopping;
    },
  };
}
