import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface ServeProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** What the process wrote to stderr so far (logs at warn and above). */
  stderr(): string;
  /** SIGTERM (graceful close), SIGKILL after 5 s. */
  stop(): Promise<void>;
}

/**
 * Starts `switchboard serve` as a real process on a free port of 127.0.0.1 and waits for its
 * `listening on URL` line. `entry` is the command line before `serve`: the source through tsx by
 * default (never a stale build), or `['bin/switchboard.js']` for the built one.
 *
 * @example
 * const server = await spawnServe(['--database', url]); … await server.stop();
 */
export async function spawnServe(args: readonly string[], entry: readonly string[] = ['--import', 'tsx', 'src/cli/run.ts']): Promise<ServeProcess> {
  const child = spawn(process.execPath, [...entry, 'serve', '--port', '0', '--host', '127.0.0.1', '--log-level', 'warn', ...args], {
    cwd: repositoryRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
  });
  let out = '';
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`switchboard serve did not start in 30 s:\n${out}\n${err}`));
    }, 30_000);
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
  return { url, child, stderr: () => err, stop };
}
