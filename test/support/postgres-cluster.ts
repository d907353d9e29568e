import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A throwaway PostgreSQL cluster: initdb into a temp dir, listening on 127.0.0.1 only. */
export interface PostgresCluster {
  /** `postgres://postgres@127.0.0.1:PORT/` — append a database name. */
  readonly serverUrl: string;
  /** The postmaster's process id (its backends are its children). */
  readonly pid: number;
  stop(): void;
}

/** The bin/ directory of the newest installed PostgreSQL (Debian layout), if any. */
export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] && join(root, versions[0], 'bin');
}

/** A port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * Starts a cluster tuned for throwaway data: no fsync, no full-page writes (a crash loses the
 * cluster, which is deleted anyway). PostgreSQL refuses to run as root, so as root it runs as the
 * `postgres` user the Debian package creates.
 *
 * @example
 * const cluster = await startPostgresCluster(postgresBinDir()!); … cluster.stop();
 */
export async function startPostgresCluster(
  binDir: string,
  options: { maxConnections?: number; /** fsync and synchronous commit as in production (benchmarks). */ durable?: boolean } = {},
): Promise<PostgresCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-pg-'));
  const asRoot = process.getuid?.() === 0;
  const run = (tool: string, args: string[]) => {
    const command = asRoot ? 'runuser' : join(binDir, tool);
    const argv = asRoot ? ['-u', 'postgres', '--', join(binDir, tool), ...args] : args;
    execFileSync(command, argv, { stdio: 'pipe' });
  };
  if (asRoot) {
    const { uid, gid } = userIds('postgres');
    chownSync(dir, uid, gid);
    chmodSync(dir, 0o700);
  }
  const data = join(dir, 'data');
  const port = await freePort();
  try {
    run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '--encoding=UTF8', '--locale=C.UTF-8']);
    const settings = [
      `-p ${port}`,
      `-k ${dir}`,
      '-c listen_addresses=127.0.0.1',
      ...(options.durable ? [] : ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off']),
      `-c max_connections=${options.maxConnections ?? 300}`,
      '-c shared_buffers=128MB',
    ].join(' ');
    run('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-w', '-o', settings, 'start']);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`Could not start a throwaway PostgreSQL cluster: ${(error as Error).message}\n${stderr}`);
  }
  let stopped = false;
  return {
    serverUrl: `postgres://postgres@127.0.0.1:${port}/`,
    pid: Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]),
    stop() {
      if (stopped) return;
      stopped = true;
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

function userIds(name: string): { uid: number; gid: number } {
  const uid = Number(execFileSync('id', ['-u', name]).toString().trim());
  const gid = Number(execFileSync('id', ['-g', name]).toString().trim());
  return { uid, gid };
}
