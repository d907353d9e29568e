// A worker thread that takes a WriterLock as the background, says 'held', and releases it when told
// (or by itself after `releaseAfterMs`).
import { parentPort, workerData } from 'node:worker_threads';
import { WriterLock } from '../../../src/store/writer-lock.js';

const { lock: buffer, releaseAfterMs } = workerData as { lock: SharedArrayBuffer; releaseAfterMs?: number };
const lock = WriterLock.join(buffer, 'background');
await lock.acquire();
parentPort!.postMessage('held');
const release = () => {
  lock.release();
  parentPort!.close();
};
if (releaseAfterMs === undefined) parentPort!.once('message', release);
else setTimeout(release, releaseAfterMs);
