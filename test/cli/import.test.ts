import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { sessionWriter } from '../../src/events/session-writer.js';
import { importSessions } from '../../src/import/import-sessions.js';
import { SessionsRepository } from '../../src/sessions/sessions-repository.js';
import { openStore } from '../../src/store/open-store.js';
import { demoSessions } from '../../src/demo/demo-sessions.js';
import { goldenSession, readFixture } from '../support/fixtures.js';
import { startSignedInServer } from '../support/server.js';
import { freshDatabaseUrl, openTestStore } from '../support/test-store.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
}

const tempDir = () => mkdtempSync(join(tmpdir(), 'switchboard-import-'));

describe('switchboard import', () => {
  it('round-trips: sessions read over HTTP, exported, imported elsewhere, read back identically', async () => {
    const sessions = [goldenSession(), ...demoSessions(new Date('2026-11-27T15:00:00Z'))];
    const source = await startSignedInServer(sessions);
    const exported = await Promise.all(
      sessions.map(async (s) => (await source.fetch(`${source.url}/sessions/${s.id}`)).json()),
    );
    const dir = tempDir();
    const file = join(dir, 'evo-sessions.json');
    writeFileSync(file, JSON.stringify({ items: exported, totalCount: exported.length, totalPages: 1, hasMorePages: false }));
    const database = await freshDatabaseUrl();

    const run = capture();
    expect(await main(['import', file, '--database', database], {}, run.io)).toBe(0);
    expect(run.out).toEqual([`${file}: read a ListResponse of ${sessions.length} sessions; ${sessions.length} imported, 0 already present, 0 rejected`]);

    const store = await openStore(database);
    const repo = new SessionsRepository(store.db);
    for (const [i, s] of sessions.entries()) expect((await repo.findById(s.id!))?.json).toBe(JSON.stringify(exported[i]));
    await store.close();

    const again = capture();
    expect(await main(['import', file, '--database', database], {}, again.io)).toBe(0);
    expect(again.out).toEqual([`${file}: read a ListResponse of ${sessions.length} sessions; 0 imported, ${sessions.length} already present, 0 rejected`]);
  });

  it('reports a malformed record with its position and reason, and lands the rest', async () => {
    const dir = tempDir();
    const file = join(dir, 'mixed.json');
    const good = goldenSession();
    writeFileSync(
      file,
      JSON.stringify([
        good,
        { Id: 'bad-enum', AccountId: 'acct_acme', CallState: 'Exploded' },
        { accountId: 'acct_acme' },
        'not a session',
        { id: 'no-account' },
        { ID: 'pascal', ACCOUNTID: 'acct_acme', Ended: true, Log: [{ Date: '2026-01-01T00:00:00Z', Message: 'hi' }] },
      ]),
    );
    const database = await freshDatabaseUrl();
    const run = capture();
    expect(await main(['import', file, '--database', database], {}, run.io)).toBe(1);
    expect(run.out).toEqual([`${file}: read an array of 6 sessions; 2 imported, 0 already present, 4 rejected`]);
    expect(run.err).toEqual([
      "  record 1 (bad-enum): CallState: 'Exploded' is not a SessionCallState (Disconnected, Ringing, Connected, Hold, Passive)",
      "  record 2: Id: 'Session Id' must not be empty.",
      '  record 3: SessionInfo: expected an object (SessionInfo)',
      '  record 4 (no-account): AccountId: every session belongs to an account',
    ]);
    const store = await openStore(database);
    const pascal = await new SessionsRepository(store.db).findById('pascal');
    // Stored as the fold of its snapshot: with the members list every session shows, empty here.
    expect(JSON.parse(pascal!.json)).toEqual({ id: 'pascal', accountId: 'acct_acme', ended: true, log: [{ date: '2026-01-01T00:00:00Z', message: 'hi' }], members: [] });
    await store.close();
  });

  it('refuses what is not an export, without touching the database', async () => {
    const dir = tempDir();
    const notJson = join(dir, 'x.json');
    writeFileSync(notJson, '{"items": [');
    const object = join(dir, 'y.json');
    writeFileSync(object, '{"sessions": []}');
    const run = capture();
    expect(await main(['import', notJson, object, join(dir, 'missing.json'), '--database', join(dir, 'db')], {}, run.io)).toBe(1);
    expect(run.err[0]).toMatch(/x\.json: cannot read:/);
    expect(run.err[1]).toBe(`${object}: expected a SessionInfo ({"id": …}), an array of them, a ListResponse ({"items": […]}) or JSON Lines (one SessionInfo a line)`);
    expect(run.err[2]).toMatch(/missing\.json: cannot read:/);
  });

  it('reads a single SessionInfo as GET /sessions/{id} answers it, an array, a ListResponse and JSON Lines, and says which', async () => {
    const source = await startSignedInServer([goldenSession(), ...demoSessions(new Date('2026-11-27T15:00:00Z'))]);
    const [one, ...more] = await Promise.all(
      [goldenSession(), ...demoSessions(new Date('2026-11-27T15:00:00Z'))].map(async (s) => (await source.fetch(`${source.url}/sessions/${s.id}`)).text()),
    );
    const dir = tempDir();
    const files = {
      single: [join(dir, 'one.json'), one!],
      array: [join(dir, 'two.json'), `[${more.slice(0, 2).join(',')}]`],
      list: [join(dir, 'list.json'), JSON.stringify({ Items: more.slice(2, 5).map((s) => JSON.parse(s)), TotalCount: 3 })],
      lines: [join(dir, 'rest.jsonl'), `${more.slice(5, 7).join('\n')}\n\n{"id": "broken", \r\n${more.slice(7).join('\r\n')}\n`],
    } as const;
    for (const [file, text] of Object.values(files)) writeFileSync(file, text);
    const database = await freshDatabaseUrl();
    const run = capture();
    expect(await main(['import', ...Object.values(files).map(([file]) => file), '--database', database], {}, run.io)).toBe(1);
    const rest = more.length - 5;
    expect(run.out).toEqual([
      `${files.single[0]}: read one SessionInfo; 1 imported, 0 already present, 0 rejected`,
      `${files.array[0]}: read an array of 2 sessions; 2 imported, 0 already present, 0 rejected`,
      `${files.list[0]}: read a ListResponse of 3 sessions; 3 imported, 0 already present, 0 rejected`,
      `${files.lines[0]}: read JSON Lines, ${rest + 1} lines; ${rest} imported, 0 already present, 1 rejected`,
    ]);
    expect(run.err).toHaveLength(1);
    expect(run.err[0]).toMatch(/^ {2}line 4: not JSON: /);

    const store = await openStore(database);
    expect(await new SessionsRepository(store.db).count()).toBe(1 + more.length);
    expect((await new SessionsRepository(store.db).findById(goldenSession().id!))?.json).toBe(one);
    await store.close();
  });

  it('imports the list fixture through the library call', async () => {
    const store = await openTestStore();
    const report = await importSessions(sessionWriter(store), JSON.parse(readFixture('list-golden.json')).items);
    expect(report).toEqual({ imported: 1, alreadyPresent: 0, rejected: [] });
  });
});

describe('switchboard CLI', () => {
  it('explains usage for no command, an unknown command, a bad flag', async () => {
    for (const argv of [[], ['frobnicate'], ['serve', '--port', 'eighty'], ['import']]) {
      const run = capture();
      expect(await main(argv, {}, run.io)).toBe(2);
      expect([...run.out, ...run.err].join('\n')).toContain('Usage: switchboard <command>');
    }
  });

  it('migrates a database', async () => {
    const run = capture();
    const database = await freshDatabaseUrl();
    expect(await main(['migrate', '--database', database], {}, run.io)).toBe(0);
    expect(run.out).toEqual([`Database ${database} is up to date.`]);
  });
});
