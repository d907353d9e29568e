import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startWorkerPool } from '../store/worker-pool.js';
import type { ListPageRequest, ListPageResult } from './list-page.js';
import type { SessionReads } from './session-reads.js';

// The worker's module beside this one, as this one runs: .ts from source, .js when built.
const WORKER = new URL(`./session-read-worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url);

/**
 * Session reads on `workers` threads, each with its own read-only connection to the SQLite file
 * `path`: a list or search then costs the event loop a message, not its query time, and never
 * holds the writer's connection (issue 13: 200 connections of lists held webhooks 15 s).
 */
export function workerSessionReads(path: string, workers: number, onError?: (message: string) => void): SessionReads & { close(): Promise<void> } {
  const pool = startWorkerPool(WORKER, workers, { path }, onError);
  return {
    listPage: (request: ListPageRequest) => pool.call<ListPageResult>('listPage', [request]),
    unended: (accountIds, limit) => pool.call<string[]>('unended', [accountIds, limit]),
    close: () => pool.close(),
  };
}
