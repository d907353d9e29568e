import { Worker } from 'node:worker_threads';
import { ApiError, type ErrorCode } from '../http/errors.js';
import type { FoldPolicy } from './fold-session.js';
import type { IngestResult } from './ingest-events.js';
import type { Ingest } from './ingest.js';
import type { RecordedEvent } from './session-event.js';

/** What the writer thread is started with. */
export interface ThreadData {
  readonly path: string;
  readonly policy: FoldPolicy;
}
export interface Request {
  readonly id: number;
  readonly events: readonly RecordedEvent[];
}
export interface Reply {
  readonly id: number;
  readonly result?: IngestResult;
  readonly error?: { readonly message: string; readonly code?: ErrorCode };
}

interface Waiting {
  resolve(result: IngestResult): void;
  reject(error: unknown): void;
}

/**
 * Durable ingest on a writer thread with its own connection to the SQLite file
 * (ingest-thread-worker.ts): the ledger append, the fold, the session row, the commit and the search
 * indexing leave the thread that serves HTTP. On one thread, a Twilio callback's HTTP side and its
 * ingest took ~185 + ~450 µs of CPU in turn; side by side on two cores each waits only for its own
 * (bench/ingest). SQLite still has one writer: reads and the few other writes stay on the main
 * thread's connection, and WAL lets those reads run beside the writer.
 *
 * An event is acknowledged when the writer thread says it is committed, as in this thread. If the
 * writer thread dies, the requests it held fail (a provider retries them; the ledger's dedupe keys
 * make a retry harmless) and the next request starts a new one.
 */
export class IngestThread implements Ingest {
  /** Undefined once the thread died unexpectedly, until the next request starts another. */
  private worker: Worker | undefined;
  private readonly waiting = new Map<number, Waiting>();
  private queued: Request[] = [];
  private nextId = 0;
  private closing: Promise<void> | undefined;

  private constructor(private readonly data: ThreadData) {
    this.worker = this.spawn();
  }

  /** Starts the writer thread and waits until it has opened the store. */
  static async start(path: string, policy: FoldPolicy): Promise<IngestThread> {
    const thread = new IngestThread({ path, policy });
    await new Promise<void>((resolve, reject) => {
      thread.worker!.once('message', () => resolve());
      thread.worker!.once('error', reject);
    });
    return thread;
  }

  ingest(events: readonly RecordedEvent[]): Promise<IngestResult> {
    if (this.closing) return Promise.reject(new ApiError('ServiceUnavailable', 'Switchboard is shutting down'));
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      this.waiting.set(id, { resolve, reject });
      // The requests read in one turn of the event loop cross as one message: posting costs about
      // as much as a small request's ingest, and the writer commits them together anyway.
      if (!this.queued.length) setImmediate(() => (this.worker ??= this.spawn()).postMessage(this.queued.splice(0)));
      this.queued.push({ id, events });
    });
  }

  /** Lets the writer thread finish what it was given, then stops it and its connection. */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      // Requests queued in this turn go first.
      setImmediate(() => {
        if (!this.worker) return resolve();
        this.worker.once('exit', () => resolve());
        this.worker.postMessage('close');
      });
    });
    return this.closing;
  }

  private spawn(): Worker {
    const worker = workerFor(this.data);
    worker.on('message', (replies: Reply[] | 'ready') => {
      if (replies === 'ready') return;
      for (const { id, result, error } of replies) {
        const waiting = this.waiting.get(id);
        this.waiting.delete(id);
        if (error) waiting?.reject(error.code ? new ApiError(error.code, error.message) : new Error(error.message));
        else waiting?.resolve(result!);
      }
    });
    worker.once('exit', (code) => {
      const stopped = new Error(`The ingest thread stopped (exit code ${code})`);
      for (const waiting of this.waiting.values()) waiting.reject(stopped);
      this.waiting.clear();
      // Started again by the next request, not here: a thread that cannot start must not spin.
      if (this.worker === worker) this.worker = undefined;
    });
    // An uncaught failure in the thread ends it; 'exit' follows and fails what it held.
    worker.on('error', () => {});
    return worker;
  }
}

/**
 * The writer thread: compiled JavaScript as it is; under tsx or vitest (tests, benchmarks) the
 * sources are TypeScript, which a new thread cannot load until it registers tsx's loader itself.
 */
function workerFor(data: ThreadData): Worker {
  const entry = new URL(import.meta.url.endsWith('.ts') ? './ingest-thread-worker.ts' : './ingest-thread-worker.js', import.meta.url);
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, { workerData: data });
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(boot, { eval: true, workerData: data });
}
