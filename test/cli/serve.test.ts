import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { dialect, freshDatabaseUrl } from '../support/test-store.js';

const run = fileURLToPath(new URL('../../src/cli/run.ts', import.meta.url));

/** `switchboard serve` as a real process: what `npm start` runs. */
function serve(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', run, 'serve', '--host', '127.0.0.1', '--port', '0', '--log-level', 'warn', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // A failed assertion must not leave a server running after the test.
  onTestFinished(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = (async () => {
    for (let i = 0; i < 600 && !/Try:[\s\S]*metadata|listening on http:\/\/\S+ \(database/.test(output); i++) await new Promise((r) => setTimeout(r, 50));
    const url = /listening on (http:\/\/\S+)/.exec(output)?.[1];
    if (!url) throw new Error(`server did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
    return url;
  })();
  return { child, ready, exited, output: () => output };
}

describe('switchboard serve', () => {
  it('seeds the demo, prints what to try, serves it, and stops cleanly on SIGTERM', async () => {
    const database = await freshDatabaseUrl();
    const server = serve(['--demo', '--database', database]);
    const url = await server.ready;
    expect(server.output()).toMatch(/Seeded \d+ demo sessions\./);
    const [, credentials, curl] = /curl -u (\S+) (http:\/\/\S+\/sessions\/\w+)\n/.exec(server.output())!;
    const authorization = `Basic ${Buffer.from(credentials!).toString('base64')}`;
    const session = (await (await fetch(curl!, { headers: { authorization } })).json()) as { accountName: string; log: unknown[] };
    expect(session.accountName).toBe('Demo Contact Center');
    expect(session.log.length).toBeGreaterThan(3);
    // A kept-alive connection must not hold the shutdown up.
    expect((await fetch(`${url}/metadata`)).status).toBe(200);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    if (dialect === 'sqlite') expect(existsSync(`${database}-wal`)).toBe(false); // closed: WAL checkpointed and removed
  });

  it('seeds nothing without --demo', async () => {
    const database = await freshDatabaseUrl();
    const server = serve(['--database', database]);
    await server.ready;
    expect(server.output()).not.toMatch(/Seeded|Try:/);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });

  it('believes the proxy named by --trust-proxy: its X-Forwarded-Proto makes the cookies Secure', async () => {
    const server = serve(['--demo', '--database', await freshDatabaseUrl(), '--trust-proxy', '127.0.0.1']);
    const url = await server.ready;
    const res = await fetch(`${url}/auth/credentials`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https', 'x-forwarded-for': '198.51.100.7' },
      body: JSON.stringify({ userName: 'manager@demo.switchboard.local', password: 'demo-manager' }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.getSetCookie().every((cookie) => cookie.includes('; secure;'))).toBe(true);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });
});
