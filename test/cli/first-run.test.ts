import { describe, expect, it, onTestFinished } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { startServer } from '../../src/server.js';
import { dialect, freshDatabaseUrl } from '../support/test-store.js';

async function serve(env: Record<string, string>, demo = false) {
  const lines: string[] = [];
  const database = dialect === 'sqlite' ? ':memory:' : await freshDatabaseUrl();
  const config = { ...parseConfig(['--port', '0', '--host', '127.0.0.1', '--database', database, '--log-level', 'silent'], env), demo };
  const server = await startServer(config, (line) => lines.push(line));
  onTestFinished(() => server.close());
  return { url: server.url, output: lines.join('\n') };
}

const basic = (user: string, password: string) => ({ authorization: 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64') });

describe('first run', () => {
  it('creates admin@switchboard.local with a random password printed once', async () => {
    const { url, output } = await serve({});
    const password = /Created the SystemAdministrator admin@switchboard\.local with password (\S+)/.exec(output)?.[1];
    expect(password).toBeDefined();
    const status = await fetch(`${url}/auth/status`, { headers: basic('admin@switchboard.local', password!) });
    expect(await status.json()).toMatchObject({ roles: ['SystemAdministrator'], isAuthenticated: true });
  });

  it('takes the administrator from SWITCHBOARD_ADMIN_EMAIL / SWITCHBOARD_ADMIN_PASSWORD and prints no password', async () => {
    const { url, output } = await serve({ SWITCHBOARD_ADMIN_EMAIL: 'ops@example.test', SWITCHBOARD_ADMIN_PASSWORD: 'from the vault' });
    expect(output).toContain('Created the SystemAdministrator ops@example.test');
    expect(output).not.toContain('from the vault');
    expect((await fetch(`${url}/auth/status`, { headers: basic('ops@example.test', 'from the vault') })).status).toBe(200);
  });

  it('gives the demo a Manager and two agents of the demo account', async () => {
    const { url, output } = await serve({}, true);
    const [, email, password, path] = /curl -u ([^:]+):(\S+) (\S+)\n/.exec(output + '\n')!;
    const res = await fetch(path!, { headers: basic(email!, password!) });
    expect(res.status).toBe(200);
    const users = await fetch(`${url}/users`, { headers: basic(email!, password!) });
    expect((await users.json()).items.map((u: { emailAddress: string }) => u.emailAddress)).toEqual([
      'dana@demo.switchboard.local',
      'lee@demo.switchboard.local',
      'manager@demo.switchboard.local',
    ]);
  });
});
