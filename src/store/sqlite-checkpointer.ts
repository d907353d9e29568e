import { moduleWorker } from './module-worker.js';
import type { WriterLock } from './writer-lock.js';

/** How often the background connection copies the WAL back into the database file. */
export const CHECKPOINT_INTERVAL_MS = 100;

/**
 * WAL length (frames of a page) from which the checkpointer holds the writer off for one pass, so
 * the next write starts the WAL over (~16 MB).
 */
export const RESTART_FRAMES = 4_000;

/**
 * The writer's own automatic checkpoint, in pages, kept as a backstop (SQLite's default is 1,000)
 * for when the checkpointer cannot keep the WAL short. It runs inside a COMMIT: ~25-35 ms of the
 * event loop for its syncs.
 */
export const WRITER_CHECKPOINT_BACKSTOP_PAGES = 10_000;

export interface Checkpointer {
  /** Stops the worker after its current checkpoint and closes its connection. */
  stop(): Promise<void>;
}

export interface CheckpointerOptions {
  readonly onError?: (message: string) => void;
  readonly intervalMs?: number;
  readonly restartFrames?: number;
}

/** What the checkpointer's thread is started with (sqlite-checkpointer-worker.ts). */
export interface CheckpointerData {
  readonly path: string;
  readonly lock: SharedArrayBuffer;
  readonly intervalMs: number;
  /** WAL length, in frames, from which a checkpoint holds the writer off to let the WAL start over. */
  readonly restartFrames: number;
}

/**
 * Runs a SQLite file's WAL checkpoints on a worker thread, off the request path. A checkpoint
 * syncs the WAL, copies its pages into the database file and syncs that: on the writer's connection
 * (SQLite's default, every 1,000 pages) it blocked the event loop for milliseconds, every request
 * behind it waiting (bench/ingest; ingest alone: wall time per event -40 %).
 *
 * SQLite starts the WAL over only when a write begins with every frame already copied, which a
 * checkpoint running beside back-to-back commits never achieves. Once the WAL is `RESTART_FRAMES`
 * long, the worker takes the process's `WriterLock` for one more pass, which copies the frames the
 * last one missed: the serving thread's commits wait for it without blocking its event loop. Before,
 * the WAL grew to the writer's backstop and the writer checkpointed inside a COMMIT, blocking the
 * loop 25-35 ms every ~2 s of sustained ingest (bench/ingest, 16 concurrent callbacks): the p99.
 *
 * Durability is unchanged for a killed process: a commit is in the WAL (the OS's page cache)
 * before it is acknowledged. With `synchronous=NORMAL` the WAL is synced at each checkpoint, so a
 * power cut can lose the commits of the last interval (`CHECKPOINT_INTERVAL_MS`) at most.
 *
 * @example
 * const checkpointer = startCheckpointer('./data/switchboard.db', lock, { onError }); … await checkpointer.stop();
 */
export function startCheckpointer(path: string, lock: WriterLock, options: CheckpointerOptions = {}): Checkpointer {
  const { onError = () => {}, intervalMs = CHECKPOINT_INTERVAL_MS, restartFrames = RESTART_FRAMES } = options;
  const data: CheckpointerData = { path, lock: lock.buffer, intervalMs, restartFrames };
  const worker = moduleWorker(import.meta.url, './sqlite-checkpointer-worker', data);
  worker.on('message', (message: { error?: string }) => message.error && onError(message.error));
  worker.on('error', (error) => onError(String(error)));
  // A thread that ended holding the lock must not stop every write with it.
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve(lock.abandonBackground())));
  // A server that forgets to close its store still exits.
  worker.unref();
  let stopping: Promise<void> | undefined;
  return {
    stop() {
      // Ref'd again while stopping: an unref'd worker's exit would not keep an awaiting process alive.
      stopping ??= (worker.ref(), worker.postMessage('stop'), exited);
      return stopping;
    },
  };
}
