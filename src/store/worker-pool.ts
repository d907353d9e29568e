import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/** Calls answered by worker threads running one module (serve-worker-calls.ts on their side). */
export interface WorkerPool {
  /** Runs `method(...args)` on the worker with the fewest calls in flight. */
  call<T>(method: string, args: readonly unknown[]): Promise<T>;
  /** Lets calls in flight finish, then stops every worker. */
  close(): Promise<void>;
}

interface Reply {
  readonly id: number;
  readonly value?: unknown;
  readonly error?: { readonly name: string; readonly message: string };
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

interface Running {
  readonly worker: Worker;
  readonly pending: Map<number, Pending>;
  readonly exited: Promise<void>;
}

/**
 * How a worker loads `entry`. Built code (`dist/…/x.js`) loads as is. Run from source (tsx, vitest)
 * the entry is TypeScript, which a worker cannot load by itself (vitest transforms its own imports,
 * not a worker's): the worker first registers tsx, a dev dependency, present wherever sources run.
 */
function workerFor(entry: URL, workerData: unknown): Worker {
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, { workerData });
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/package.json').replace(/package\.json$/, 'dist/esm/api/index.mjs')).href;
  const bootstrap = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(bootstrap, { eval: true, workerData });
}

/**
 * Starts `size` workers running `entry` with `workerData`. A worker that dies fails its calls in
 * flight (with `onError`) and is replaced; the pool's workers never keep a process alive.
 *
 * @example
 * const pool = startWorkerPool(new URL('./reader.js', import.meta.url), 2, { path }); await pool.call('count', []);
 */
export function startWorkerPool(entry: URL, size: number, workerData: unknown, onError: (message: string) => void = () => {}): WorkerPool {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`a worker pool needs at least one worker, got ${size}`);
  let nextId = 0;
  let closing: Promise<void> | undefined;
  const workers: Running[] = [];

  const spawn = (slot: number) => {
    const worker = workerFor(entry, workerData);
    const pending = new Map<number, Pending>();
    worker.unref();
    worker.on('message', (reply: Reply) => {
      const waiter = pending.get(reply.id);
      if (!waiter) return;
      pending.delete(reply.id);
      if (reply.error) waiter.reject(Object.assign(new Error(reply.error.message), { name: reply.error.name }));
      else waiter.resolve(reply.value);
    });
    worker.on('error', (error) => onError(`${fileURLToPath(entry)}: ${String(error)}`));
    const exited = new Promise<void>((resolve) =>
      worker.once('exit', (code) => {
        const lost = new Error(`a worker of ${fileURLToPath(entry)} stopped (exit code ${code})`);
        for (const waiter of pending.values()) waiter.reject(lost);
        pending.clear();
        if (!closing) {
          onError(lost.message);
          spawn(slot);
        }
        resolve();
      }),
    );
    workers[slot] = { worker, pending, exited };
  };
  for (let slot = 0; slot < size; slot++) spawn(slot);

  return {
    call<T>(method: string, args: readonly unknown[]) {
      if (closing) return Promise.reject(new Error('the worker pool is closed'));
      const chosen = workers.reduce((best, w) => (w.pending.size < best.pending.size ? w : best));
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        chosen.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
        chosen.worker.postMessage({ id, method, args });
      });
    },
    close() {
      closing ??= Promise.all(
        workers.map(async ({ worker, exited }) => {
          // Ref'd again while stopping: an unref'd worker's exit would not keep an awaiting process alive.
          worker.ref();
          worker.postMessage({ close: true });
          await exited;
        }),
      ).then(() => {});
      return closing;
    },
  };
}
