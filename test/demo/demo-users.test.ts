import { describe, expect, it, onTestFinished } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { DEMO_USERS } from '../../src/demo/demo-directory.js';
import { demoSessions } from '../../src/demo/demo-sessions.js';
import type { SessionInfo } from '../../src/model/session-info.js';
import { startServer } from '../../src/server.js';
import { freshDatabaseUrl } from '../support/test-store.js';

/** `switchboard serve --demo`, in process: the demo exactly as `npm start` seeds it. */
async function demoServer() {
  const database = await freshDatabaseUrl();
  const server = await startServer(parseConfig(['--demo', '--database', database, '--host', '127.0.0.1', '--port', '0', '--log-level', 'silent'], {}), () => {});
  onTestFinished(() => server.close());
  return server.url;
}

const live = (name: string) => demoSessions(new Date()).find((s) => s.ended === false && JSON.stringify(s.members).includes(name))!;

/** What each demo person sees of their own work: the live sessions they take part in. */
const OWN_LIVE: Record<string, string[]> = {
  'manager@demo.switchboard.local': [],
  'dana@demo.switchboard.local': [live('client:dana').id!],
  'lee@demo.switchboard.local': [live('client:lee').id!],
};

describe.each(DEMO_USERS.map((u) => [u.email, u] as const))('the demo, signed in as %s', (email, person) => {
  it('answers every operation the role allows, with the demo data', async () => {
    const url = await demoServer();
    const authorization = `Basic ${Buffer.from(`${email}:${person.password}`).toString('base64')}`;
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(url + path, {
        method,
        headers: { authorization, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      expect(res.status, `${method} ${path} as ${email}: ${text.slice(0, 300)}`).toBeLessThan(300);
      return text ? JSON.parse(text) : undefined;
    };
    const ids = demoSessions(new Date()).map((s) => s.id!);

    expect((await call('GET', '/auth/status')).accountIds).toEqual(['acct_demo']);
    expect((await call('GET', '/sessions?countPerPage=100')).items.map((s: SessionInfo) => s.id).sort()).toEqual([...ids].sort());
    for (const id of ids) expect((await call('GET', `/sessions/${id}`)).id).toBe(id);
    // /sessions/my and /sessions/active: the agent's own live sessions, found through the email on its User endpoint.
    expect((await call('GET', '/sessions/my')).sessions.map((s: SessionInfo) => s.id)).toEqual(OWN_LIVE[email]);
    expect((await call('GET', '/sessions/active')).sessions.map((s: SessionInfo) => s.id)).toEqual(OWN_LIVE[email]);

    expect((await call('GET', '/accounts')).items.map((a: { id: string }) => a.id)).toEqual(['acct_demo']);
    expect((await call('GET', '/accounts/acct_demo')).name).toBe('Demo Contact Center');
    expect((await call('GET', '/customers')).items.length).toBeGreaterThan(0);
    const endpoints = (await call('GET', '/endpoints')).items as { id: string; emailAddress?: string; email?: string }[];
    expect(endpoints.length).toBeGreaterThan(3);
    expect((await call('GET', `/endpoints/${endpoints[0]!.id}`)).id).toBe(endpoints[0]!.id);

    const target = OWN_LIVE[email]![0] ?? ids[0]!;
    expect((await call('POST', `/sessions/${target}/log`, { message: `Checked by ${email}` })).log.at(-1).message).toBe(`Checked by ${email}`);
    expect((await call('PATCH', `/sessions/${target}`, { consoleData: 'demo notes' })).consoleData).toBe('demo notes');
    expect((await call('POST', '/sessions', { accountId: 'acct_demo', channel: 'Chat', direction: 'Outgoing', toAddress: 'web:visitor-1' })).channel).toBe('Chat');

    if (person.roles.includes('Manager')) {
      expect((await call('GET', '/users')).items.length).toBe(DEMO_USERS.length);
      expect((await call('GET', '/accounts/acct_demo/lifecycle')).liveDays).toBe(15);
    } else {
      const res = await fetch(`${url}/users`, { headers: { authorization } });
      expect(res.status).toBe(403);
    }
  });
});
