// A worker thread that takes a WriterLock as the background, says 'held', and releases it when told.
import { parentPort, workerData } from 'node:worker_threads';
import { WriterLock } from '../../../src/store/writer-lock.js';

const lock = WriterLock.join(workerData as SharedArrayBuffer, 'background');
await lock.acquire();
parentPort!.postMessage('held');
parentPort!.once('message', () => {
  lock.release();
  parentPort!.close();
});
