import { Worker } from 'node:worker_threads';

/**
 * A worker thread running the module at `entry`, a sibling of the caller's module (`import.meta.url`)
 * named without its extension. Compiled, it is JavaScript as it is; under tsx or vitest (tests,
 * benchmarks) the sources are TypeScript, which a new thread cannot load until it registers tsx's
 * loader itself.
 *
 * @example
 * const worker = moduleWorker(import.meta.url, './search-index-thread-worker', { path });
 */
export function moduleWorker(callerUrl: string, entry: string, workerData: unknown): Worker {
  const fromSources = callerUrl.endsWith('.ts');
  const url = new URL(`${entry}${fromSources ? '.ts' : '.js'}`, callerUrl);
  if (!fromSources) return new Worker(url, { workerData });
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(boot, { eval: true, workerData });
}
