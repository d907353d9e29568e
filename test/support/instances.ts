import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { onTestFinished } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

export interface Instance {
  readonly url: string;
  readonly process: ChildProcess;
  /** What the process wrote to stderr so far (logs at warn and above). */
  stderr(): string;
}

/**
 * Starts a real `switchboard serve` process (the CLI's own entry, run from source so it is never a
 * stale build) on a free port, stopped with SIGTERM when the test ends.
 *
 * @example
 * const [a, b] = await Promise.all([startInstance(url), startInstance(url)]);
 */
export async function startInstance(databaseUrl: string, extraArgs: readonly string[] = []): Promise<Instance> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/run.ts', 'serve', '--database', databaseUrl, '--port', '0', '--host', '127.0.0.1', '--log-level', 'warn', ...extraArgs],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_NO_WARNINGS: '1' } },
  );
  let out = '';
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  onTestFinished(() => stop(child));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`switchboard serve did not start in 30 s:\n${out}\n${err}`)), 30_000);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const listening = /listening on (http:\/\/\S+)/.exec(out);
      if (listening) {
        clearTimeout(timer);
        resolve(listening[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`switchboard serve exited with ${code}:\n${out}\n${err}`));
    });
  });
  return { url, process: child, stderr: () => err };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
