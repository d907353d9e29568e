import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface ChildServer {
  readonly url: string;
  /** What the server printed up to its `ready` line (e.g. credentials for the bench). */
  readonly output: string;
  /** The server's process id, for its CPU time (bench/lib/cpu.ts). */
  readonly pid: number;
  stop(): Promise<void>;
}

/**
 * Runs a server script in its own process (so the load generator and the server do not share an
 * event loop) and waits for its `ready <port>` line.
 */
export function startChild(script: string, args: readonly string[] = [], nodeFlags: readonly string[] = []): Promise<ChildServer> {
  const file = fileURLToPath(new URL(`../servers/${script}`, import.meta.url));
  // BENCH_PROFILE_DIR=dir: each server writes a V8 CPU profile there when it stops (node --cpu-prof).
  const profile = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [];
  const child: ChildProcess = spawn(process.execPath, [...profile, ...nodeFlags, '--import', 'tsx', file, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const port = /ready (\d+)/.exec(buffered)?.[1];
      if (!port) return;
      child.removeAllListeners('exit');
      resolve({
        pid: child.pid!,
        url: `http://127.0.0.1:${port}`,
        output: buffered,
        stop: () =>
          new Promise((done) => {
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
  });
}

/** The `cookie …` and `apikey …` lines switchboard-server.ts prints for the bench's callers. */
export function credentialsOf(server: ChildServer): { cookie: string; apiKey: string } {
  const line = (name: string) => new RegExp(`^${name} (.+)$`, 'm').exec(server.output)?.[1] ?? '';
  return { cookie: line('cookie'), apiKey: line('apikey') };
}
