import { onTestFinished } from 'vitest';
import { spawnServe, type ServeProcess } from './serve-process.js';

/**
 * A real `switchboard serve` process on `databaseUrl`, stopped when the test ends: what one of
 * several instances behind a load balancer is.
 *
 * @example
 * const [a, b] = await Promise.all([startInstance(url), startInstance(url)]);
 */
export async function startInstance(databaseUrl: string, extraArgs: readonly string[] = []): Promise<ServeProcess> {
  const instance = await spawnServe(['--database', databaseUrl, ...extraArgs]);
  onTestFinished(() => instance.stop());
  return instance;
}
