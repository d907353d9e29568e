/**
 * Sessions that change other than by events go out on the stream too: `switchboard import` (another
 * process on the same database) and the archive job send the session as a SessionInfo (archived:
 * with `"archived":true`), DeleteSessions and retention send `{channel}@cmd.SessionDeleted`; a client
 * resuming from before them gets all three again, in order.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { main } from '../../src/cli/main.js';
import { archiveRound } from '../../src/lifecycle/archive-job.js';
import { LifecyclePolicies } from '../../src/lifecycle/lifecycle-policies.js';
import { retentionRound } from '../../src/lifecycle/retention-job.js';
import { openStore } from '../../src/store/open-store.js';
import { ACCOUNT_ID, OTHER_ACCOUNT_ID, seedDirectory } from '../events/support/directory-seed.js';
import { addApiKey } from '../support/directory.js';
import { goldenSession } from '../support/fixtures.js';
import { startTestServer } from '../support/server.js';
import { freshDatabaseUrl } from '../support/test-store.js';
import { openRaw, type Frame } from './support/stream-fixture.js';

const quiet = { out: () => {}, err: (line: string) => console.error(line) };

/** A server over a database another process (the CLI) can open too, polling the change log every 100 ms. */
async function startSharedServer() {
  const url = await freshDatabaseUrl();
  const store = await openStore(url);
  onTestFinished(() => store.close());
  const server = await startTestServer([], { store, stream: { pollMs: 100 } });
  await seedDirectory(store.db);
  return { ...server, databaseUrl: url, key: await addApiKey(store, ACCOUNT_ID, ['Manager']), otherKey: await addApiKey(store, OTHER_ACCOUNT_ID, ['Manager']) };
}

/** Writes an Evo export of `sessions` and runs `switchboard import` on it, in-process but on its own store. */
async function importFile(databaseUrl: string, sessions: object[]) {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-stream-import-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'export.json');
  writeFileSync(file, JSON.stringify(sessions));
  expect(await main(['import', file, '--database', databaseUrl], {}, quiet)).toBe(0);
}

const ended = (id: string) => ({ ...goldenSession(), id, ended: true });
const isChange = (f: Frame) => f.id !== undefined;
const later: () => Date = () => new Date('2027-12-01T00:00:00Z');

describe('imports, archiving and deletions on the stream', () => {
  it('an import is a SessionInfo, archiving a SessionInfo with archived:true, a deletion a SessionDeleted with id and version; a resume replays all three in order, and another account hears nothing', async () => {
    const server = await startSharedServer();
    const stream = await openRaw(`${server.url}/event-stream?channels=account:${ACCOUNT_ID}&apikey=${server.key}`);
    const foreign = await openRaw(`${server.url}/event-stream?channels=*&apikey=${server.otherKey}`);
    await stream.next((f) => f.selector === 'cmd.onConnect');
    const startedAt = Number(((stream.frames[0]!.body as Record<string, string>).streamPosition));

    const id = '6571f0c2a1b2c3d4e5f607aa';
    await importFile(server.databaseUrl, [ended(id)]);
    const imported = await stream.next(isChange);
    expect(imported.selector).toBe(`account:${ACCOUNT_ID}@cmd.SessionInfo`);
    const { version, ...session } = imported.body as Record<string, unknown>;
    expect(version).toBe(1);
    expect(session).toEqual(await (await fetch(`${server.url}/sessions/${id}`, { headers: { authorization: `Bearer ${server.key}` } })).json());

    const policies = new LifecyclePolicies(server.store.db, later);
    expect((await archiveRound(server.store.db, server.store.capabilities.jobLock, policies, later)).byAccount).toEqual({ [ACCOUNT_ID]: 1 });
    const archived = await stream.next(isChange);
    expect(archived.selector).toBe(`account:${ACCOUNT_ID}@cmd.SessionInfo`);
    expect(archived.body).toEqual({ ...session, archived: true, version: 1 });

    const deleted = await fetch(`${server.url}/sessions?accountId=${ACCOUNT_ID}&startDateTime=2026-01-01&endDateTime=2026-12-31`, { method: 'DELETE', headers: { authorization: `Bearer ${server.key}` } });
    expect(deleted.status).toBe(204);
    const gone = await stream.next(isChange);
    expect(gone.selector).toBe(`account:${ACCOUNT_ID}@cmd.SessionDeleted`);
    expect(gone.body).toEqual({ id, accountId: ACCOUNT_ID, version: 2 });
    expect([imported.id!, archived.id!, gone.id!]).toEqual([...[imported.id!, archived.id!, gone.id!]].sort((a, b) => a - b));

    const resumed = await openRaw(`${server.url}/event-stream?channels=account:${ACCOUNT_ID}&apikey=${server.key}&lastEventId=${startedAt}`);
    const replayed = [await resumed.next(isChange), await resumed.next(isChange), await resumed.next(isChange)];
    expect(replayed.map((f) => [f.id, f.selector, f.body])).toEqual([imported, archived, gone].map((f) => [f.id, f.selector, f.body]));

    // Retention deletes go out the same way.
    const second = '6571f0c2a1b2c3d4e5f607bb';
    await importFile(server.databaseUrl, [ended(second)]);
    expect((await stream.next(isChange)).body).toMatchObject({ id: second, version: 1 });
    await policies.setPolicy(ACCOUNT_ID, { retentionDays: 30 });
    expect((await retentionRound(server.store.db, server.store.capabilities.jobLock, policies, later)).byAccount).toEqual({ [ACCOUNT_ID]: 1 });
    const retained = await stream.next(isChange);
    expect([retained.selector, retained.body]).toEqual([`account:${ACCOUNT_ID}@cmd.SessionDeleted`, { id: second, accountId: ACCOUNT_ID, version: 2 }]);

    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(foreign.frames.filter(isChange)).toEqual([]);
    expect(foreign.text()).not.toContain(id);
  });
});
