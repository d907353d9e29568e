// The writer thread's side of `IngestThread` (ingest-thread.ts): its own connection to the SQLite
// file, an `EventIngest` over it, and the search indexer, so every write of ingest (ledger, fold,
// index) happens on this thread and the main thread only serves HTTP.
import { parentPort, workerData } from 'node:worker_threads';
import { ApiError } from '../http/errors.js';
import { openStore } from '../store/open-store.js';
import type { FoldPolicy } from './fold-session.js';
import { EventIngest, type IngestResult } from './ingest-events.js';
import type { Reply, Request, ThreadData } from './ingest-thread.js';

const { path, policy } = workerData as ThreadData & { policy: FoldPolicy };
const port = parentPort!;
// The main thread's store checkpoints the file already.
const store = await openStore(path, { checkpointInBackground: false });
// Already migrated by the main thread: this only confirms it, and starts the search indexer on the
// writer's connection (the main thread's store runs none), so indexing never waits on ingest's lock.
await store.migrate();
const ingest = new EventIngest(store.db, policy, undefined, store.capabilities.writes);

const replies: Reply[] = [];
const flush = () => replies.length && port.postMessage(replies.splice(0));
const send = (reply: Reply) => {
  // Replies finished in one turn go back as one message, as requests come (see ingest-thread.ts).
  if (!replies.length) setImmediate(flush);
  replies.push(reply);
};
const failure = (error: unknown): Reply['error'] =>
  error instanceof ApiError ? { message: error.message, code: error.code } : { message: error instanceof Error ? error.message : String(error) };

let inFlight = 0;
let closing: (() => void) | undefined;
port.on('message', (message: Request[] | 'close') => {
  if (message === 'close') {
    closing = () => {
      flush();
      void store.close().then(() => port.close());
    };
    if (!inFlight) closing();
    return;
  }
  for (const { id, events } of message) {
    inFlight++;
    ingest
      .ingest(events)
      .then(
        (result: IngestResult) => send({ id, result }),
        (error: unknown) => send({ id, error: failure(error) }),
      )
      .finally(() => {
        if (!--inFlight) closing?.();
      });
  }
});
port.postMessage('ready');
