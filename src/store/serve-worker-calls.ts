import { parentPort } from 'node:worker_threads';

type Handler = (...args: never[]) => Promise<unknown>;

/**
 * A worker's side of worker-pool.ts: answers each call with its handler's value or error, one
 * message per call. `close` runs when the pool stops the worker, after the calls it had received.
 */
export function serveWorkerCalls(handlers: Readonly<Record<string, Handler>>, close: () => Promise<void>): void {
  const port = parentPort;
  if (!port) throw new Error('serveWorkerCalls runs in a worker thread');
  const inFlight = new Set<Promise<void>>();
  port.on('message', (message: { id: number; method: string; args: never[] } | { close: true }) => {
    if ('close' in message) {
      void Promise.allSettled(inFlight).then(close).finally(() => port.close());
      return;
    }
    const { id, method, args } = message;
    const handler = handlers[method];
    const answered = (handler ? handler(...args) : Promise.reject(new Error(`no worker method '${method}'`))).then(
      (value) => port.postMessage({ id, value }),
      (error: unknown) => {
        const { name, message: text } = error instanceof Error ? error : { name: 'Error', message: String(error) };
        port.postMessage({ id, error: { name, message: text } });
      },
    );
    inFlight.add(answered);
    void answered.finally(() => inFlight.delete(answered));
  });
}
