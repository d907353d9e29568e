import { sql } from 'kysely';
import { describe, expect, it, onTestFinished } from 'vitest';
import { sessionRow } from '../../src/sessions/session-row.js';
import { openStore, type Store } from '../../src/store/open-store.js';
import { session } from '../support/sessions.js';
import { migrateTo } from '../support/test-store.js';

interface Note {
  readonly log_from: number | null;
  readonly rewrite: number;
}

/** The note the indexer would consume for session `id`, then consumed, so the next write starts afresh. */
async function takeNote(store: Store, id: string): Promise<Note | undefined> {
  const { rows } = await sql<Note & { session_key: number }>`
    SELECT p.session_key, p.log_from, p.rewrite FROM session_search_pending p JOIN session_search_keys k ON k.key = p.session_key WHERE k.session_id = ${id}`.execute(store.db);
  await store.capabilities.textSearch.indexPending!(store.db, 1000);
  return rows[0] && { log_from: rows[0].log_from, rewrite: rows[0].rewrite };
}

/** How many of session `id`'s index chunks hold `text`. */
async function chunksHolding(store: Store, id: string, text: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    SELECT count(*) AS n FROM session_log_search f JOIN session_log_chunks c ON c.chunk = f.rowid JOIN session_search_keys k ON k.key = c.session_key
    WHERE k.session_id = ${id} AND session_log_search MATCH ${`"${text}"`}`.execute(store.db);
  return rows[0]!.n;
}

/** Each kind of write to a session's row, and the note it leaves (none: the index needs nothing). */
async function notesOfEachWrite(store: Store, id: string) {
  const write = (log: string[], version: number, changes: { archived?: number; ended?: boolean } = {}) =>
    store.db
      .updateTable('sessions')
      .set({ ...sessionRow(session({ id, log, ended: changes.ended }), version), ...(changes.archived === undefined ? {} : { archived: changes.archived }) })
      .where('id', '=', id)
      .execute();
  // The row alone: at migration 008 there is no stream change log for the repository's insert to write.
  await store.db.insertInto('sessions').values(sessionRow(session({ id, log: ['Ringing'] }), 1)).execute();
  const notes: Record<string, Note | undefined> = { inserted: await takeNote(store, id) };
  await write(['Ringing', 'Answered by Ann', 'On hold'], 2);
  notes.appended = await takeNote(store, id);
  await write(['Ringing', 'Answered by Ann', 'On hold'], 3, { ended: false });
  notes.stateOnly = await takeNote(store, id);
  await write(['Ringing', 'Answered by Bob'], 4);
  notes.rewritten = await takeNote(store, id);
  await write(['Ringing', 'Answered by Bob', 'Late line'], 5);
  await write(['Ringing', 'Answered by Bob', 'Late line', 'Later line'], 6);
  notes.appendedTwice = await takeNote(store, id);
  await write(['Ringing', 'Answered by Bob', 'Late line', 'Later line', 'Archived line'], 7, { archived: 1 });
  notes.archived = await takeNote(store, id);
  await write(['Ringing', 'Answered by Bob', 'Late line', 'Later line', 'Archived line'], 8, { archived: 0 });
  notes.restored = await takeNote(store, id);
  // Indexed as the notes said: the whole log once, in the one chunk the restore wrote.
  const indexed = { 'Answered by Ann': await chunksHolding(store, id, 'Answered by Ann'), 'Later line': await chunksHolding(store, id, 'Later line') };
  return { notes, indexed };
}

// About SQLite's triggers, so it opens a SQLite file itself and runs the same in both projects.
describe('noting a log write for the search indexer, and indexing the note (SQLite)', () => {
  it('notes where appended lines begin, asks for the whole log after a rewrite or an archive, skips writes that leave the log alone, and indexes what they say: as 007 did', async () => {
    const store = await openStore(':memory:', { indexInBackground: false });
    onTestFinished(() => store.close());
    await store.migrate();
    const expectedNotes = {
      inserted: { log_from: 0, rewrite: 0 },
      appended: { log_from: 1, rewrite: 0 },
      stateOnly: undefined,
      rewritten: { log_from: 0, rewrite: 1 },
      // The first note since the last indexing says where the unindexed lines begin.
      appendedTwice: { log_from: 2, rewrite: 0 },
      archived: { log_from: 0, rewrite: 1 },
      restored: { log_from: 0, rewrite: 1 },
    };
    const expected = { notes: expectedNotes, indexed: { 'Answered by Ann': 0, 'Later line': 1 } };
    expect(await notesOfEachWrite(store, 'noted-by-009')).toEqual(expected);
    const triggers = async () =>
      (await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'sessions_search_log%' ORDER BY name`.execute(store.db)).rows.map((r) => r.name);
    expect(await triggers()).toEqual(['sessions_search_log_noted']);

    // Migration 009 undone: 007's two triggers, noting alike.
    await migrateTo(store, '008-drop-unused-session-indexes');
    expect(await triggers()).toEqual(['sessions_search_log_appended', 'sessions_search_log_rewritten']);
    expect(await notesOfEachWrite(store, 'noted-by-007')).toEqual(expected);
  });
});
