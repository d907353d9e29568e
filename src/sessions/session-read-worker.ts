// A read worker (worker-session-reads.ts): the session reads of list-page.ts and session-reads.ts,
// unchanged, on a read-only connection of its own to the store's file.
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { workerData } from 'node:worker_threads';
import { sqliteCapabilities } from '../store/capabilities.js';
import { serveWorkerCalls } from '../store/serve-worker-calls.js';
import { openSqliteReader } from '../store/sqlite-reader.js';
import { SessionListRepository } from './list-repository.js';
import { inlineSessionReads } from './session-reads.js';

const READ_NICENESS = 10;

// Reads yield the CPU to the writes: on Linux a thread has its own nice value, and this one is
// /proc/thread-self's task id. Elsewhere the worker keeps the process's priority.
try {
  setPriority(Number(readlinkSync('/proc/thread-self').split('/').pop()), READ_NICENESS);
} catch {
  // not Linux
}
const db = await openSqliteReader((workerData as { path: string }).path);
const reads = inlineSessionReads(new SessionListRepository(db, sqliteCapabilities.textSearch));
serveWorkerCalls({ listPage: reads.listPage, unended: reads.unended }, () => db.destroy());
