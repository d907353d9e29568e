import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { main } from '../../src/cli/main.js';
import { seedDemo } from '../../src/demo/seed-demo.js';
import { DEFAULT_FOLD_POLICY, foldSession } from '../../src/events/fold-session.js';
import { sessionWriter } from '../../src/events/session-writer.js';
import { recordedEvent } from '../../src/events/ledger-row.js';
import type { SessionInfo } from '../../src/model/session-info.js';
import { sessionRow } from '../../src/sessions/session-row.js';
import { SessionsRepository } from '../../src/sessions/sessions-repository.js';
import { openStore, type Store } from '../../src/store/open-store.js';
import { goldenSession, readFixture } from '../support/fixtures.js';
import { adminCookie } from '../support/directory.js';
import { startTestServer } from '../support/server.js';
import { freshDatabaseUrl } from '../support/test-store.js';
import { chatEvent } from './support/chat-events.js';

const quiet = { out: () => {}, err: (line: string) => console.error(line) };

/**
 * Every way a session row comes to be, each into a database of its own. Issue 14.2: `generate` wrote
 * rows with no ledger events, so one appended log line re-folded a 7-line generated session from that
 * one event: its log cut to 1 line, fromAddress, channel and dateCreated gone.
 */
const WRITERS: Record<string, (databaseUrl: string) => Promise<void>> = {
  'switchboard generate': async (url) => {
    expect(await main(['generate', '300', '--database', url], {}, quiet)).toBe(0);
  },
  'switchboard import': async (url) => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-writers-'));
    const file = join(dir, 'export.json');
    // A session without a log or members as well: the fold fills in what it always shows.
    const bare = { id: 'bare-session', accountId: 'acct_acme', dateCreated: '2026-11-27T10:00:00Z', fromAddress: '+15035550101', channel: 'Voice' };
    writeFileSync(file, JSON.stringify([goldenSession(), ...JSON.parse(readFixture('list-golden.json')).items.map((s: SessionInfo) => ({ ...s, id: 'list-' + s.id })), bare]));
    expect(await main(['import', file, '--database', url], {}, quiet)).toBe(0);
  },
  // The live path, for comparison: provider-neutral events, ingested and folded as they arrive.
  'event ingest': async (url) => {
    const store = await openStore(url);
    try {
      await store.migrate();
      const ingest = sessionWriter(store);
      for (const sessionId of ['chat-1', 'chat-2']) {
        await ingest.write([0, 3, 7].map((second) => chatEvent({ sessionId, accountId: 'acct_acme', dedupeKey: `${sessionId}:${second}`, second })));
      }
    } finally {
      await store.close();
    }
  },
  'the demo seed': async (url) => {
    const store = await openStore(url);
    try {
      await store.migrate();
      expect((await seedDemo(new SessionsRepository(store.db), sessionWriter(store), new Date())).length).toBeGreaterThan(5);
    } finally {
      await store.close();
    }
  },
};

/** Each stored row beside the row its ledger folds to. */
async function rowsAndFolds(store: Store) {
  const rows = await store.db.selectFrom('sessions').selectAll().orderBy('id').execute();
  const events = await store.db.selectFrom('session_events').selectAll().orderBy('seq').execute();
  return rows.map((row) => {
    const own = events.filter((e) => e.account_id === row.account_id && e.session_id === row.id).map(recordedEvent);
    const folded = foldSession(row.account_id, row.id, own, DEFAULT_FOLD_POLICY);
    return { row, events: own.length, expected: sessionRow(folded, Number(row.version), { parentSessionId: row.parent_session_id ?? undefined }) };
  });
}

/** The columns a session row is written with (PostgreSQL derives more: log_text), as comparable values. */
const columns = (row: object, like: ReturnType<typeof sessionRow>) => {
  const picked = Object.fromEntries(Object.keys(like).map((key) => [key, (row as Record<string, unknown>)[key]]));
  return { ...picked, version: Number(picked.version), ended: Number(picked.ended) };
};

/** A session without what an appended line changes. */
const allBut = (session: SessionInfo) => Object.fromEntries(Object.entries(session).filter(([key]) => !['log', 'dateLastModified', 'lastModifiedBy'].includes(key)));

describe.each(Object.keys(WRITERS))('sessions written by %s', (writer) => {
  it('are each the fold of their ledger events, and a later event keeps everything else', async () => {
    const url = await freshDatabaseUrl();
    await WRITERS[writer]!(url);
    const store = await openStore(url);
    // Finish hooks run last-registered first: the store closes before its database goes.
    onTestFinished(() => store.close());
    const server = await startTestServer([], { store });
    const cookie = await adminCookie(store);

    const stored = await rowsAndFolds(store);
    expect(stored.length).toBeGreaterThan(0);
    for (const { row, events, expected } of stored) {
      expect(events, `session ${row.id} has ledger events`).toBeGreaterThan(0);
      expect(columns(row, expected), `session ${row.id}`).toEqual(columns(expected, expected));
    }

    // A log line appended through the API, as a user would, to sessions of every kind the writer made.
    const step = Math.max(1, Math.floor(stored.length / 12));
    for (const { row } of stored.filter((_, i) => i % step === 0)) {
      const before = JSON.parse(row.document) as SessionInfo;
      const message = `Note from a supervisor on ${row.id}`;
      const posted = await fetch(`${server.url}/sessions/${row.id}/log`, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/json' },
        body: JSON.stringify({ message }),
      });
      expect(posted.status, await posted.clone().text()).toBe(200);
      const after = (await (await fetch(`${server.url}/sessions/${row.id}`, { headers: { cookie } })).json()) as SessionInfo;
      const added = after.log!.at(-1)!;
      expect(after.log).toEqual([...(before.log ?? []), { date: added.date, message }]);
      expect(allBut(after), `session ${row.id} keeps everything but its log and last change`).toEqual(allBut(before));
      expect(after.dateLastModified).toBe(added.date);
    }

    // And every row still equals its fold afterwards.
    for (const { row, expected } of await rowsAndFolds(store)) expect(columns(row, expected), `session ${row.id}`).toEqual(columns(expected, expected));
  });
});
