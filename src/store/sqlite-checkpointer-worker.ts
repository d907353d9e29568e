// The checkpointer's thread (sqlite-checkpointer.ts): its own connection to the SQLite file, copying
// the WAL into it between the writer's commits, and now and then with the writer held off so the
// WAL can start over.
import { parentPort, workerData } from 'node:worker_threads';
import SQLite from 'better-sqlite3';
import type { CheckpointerData } from './sqlite-checkpointer.js';
import { WriterLock } from './writer-lock.js';

const { path, lock, intervalMs, restartFrames } = workerData as CheckpointerData;
const port = parentPort!;
const database = new SQLite(path);
database.pragma('synchronous = NORMAL');
const writer = WriterLock.join(lock, 'background');

/** A PASSIVE checkpoint never waits for the writer or readers: it copies what it can. Returns the WAL's length in frames. */
const checkpoint = () => (database.pragma('wal_checkpoint(PASSIVE)') as { log: number }[])[0]!.log;

let timer: NodeJS.Timeout | undefined;
let running: Promise<void> | undefined;
let stopped = false;

const round = async () => {
  try {
    // Under steady ingest a pass never catches up with the writer's last commits, and SQLite starts
    // the WAL over only when a write begins with every frame copied. So once the WAL is long, one
    // more pass runs while the writer waits: it copies the few frames the first one left.
    if (checkpoint() >= restartFrames) {
      await writer.acquire();
      try {
        checkpoint();
      } finally {
        writer.release();
      }
    }
  } catch (error) {
    port.postMessage({ error: String(error) });
  }
  if (!stopped) timer = setTimeout(() => (running = round()), intervalMs);
};
timer = setTimeout(() => (running = round()), intervalMs);

port.once('message', () => {
  stopped = true;
  clearTimeout(timer);
  void Promise.resolve(running).finally(() => {
    database.close();
    port.close();
  });
});
