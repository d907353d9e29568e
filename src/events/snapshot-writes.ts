import type { Insertable, Transaction } from 'kysely';
import type { SessionInfo } from '../model/session-info.js';
import { sessionRow, type SessionLinks } from '../sessions/session-row.js';
import type { Database, SessionEventsTable, SessionsTable } from '../store/schema.js';
import { ChangeLog } from '../stream/change-log.js';
import { foldSession } from './fold-session.js';
import { ledgerRow } from './ledger-row.js';
import { snapshotEvent, type SnapshotSource } from './snapshot-event.js';

/** A session that arrives whole, as stored: its `SessionImported` ledger row and the session row folded from it. */
export interface SnapshotWrite {
  readonly ledger: Insertable<SessionEventsTable>;
  readonly row: Insertable<SessionsTable>;
}

/**
 * The rows of a session that arrives whole (import, `generate`, the demo). The row is the fold of the
 * one event, not the document as given, so it is exactly what a later event re-folds from: before
 * issue 14.2 `generate` wrote rows with no event, and one appended log line cut a 7-line log to 1.
 * `links` (the parent session) are row facts the document does not carry.
 */
export function snapshotWrite(session: SessionInfo, source: SnapshotSource, ingestedAt: string, links?: SessionLinks): SnapshotWrite {
  const event = snapshotEvent(session, source);
  return { ledger: ledgerRow(event, ingestedAt), row: sessionRow(foldSession(event.accountId, event.sessionId, [event]), 1, links) };
}

/**
 * Stores the sessions whose id is not stored yet (in any account: ids are unique), each row with its
 * ledger row, in the caller's transaction; never overwrites. Returns the ids it stored. One INSERT
 * per table for the whole batch: `generate` writes 1,000 sessions a statement. Each session stored
 * goes out on the live stream (an import, the demo) unless `stream` is false: `generate` fills a
 * store for benchmarks, as a restore would, and a change per generated session would double its writes.
 */
export async function insertSnapshots(trx: Transaction<Database>, writes: readonly SnapshotWrite[], stream = true): Promise<Set<string>> {
  if (!writes.length) return new Set();
  const ids = writes.map((w) => w.row.id);
  const taken = new Set((await trx.selectFrom('sessions').select('id').where('id', 'in', ids).execute()).map((r) => r.id));
  const fresh = writes.filter((w) => !taken.has(w.row.id));
  if (!fresh.length) return new Set();
  // Another instance may insert the same session between the check and here: its row wins, with its
  // own ledger row (the same dedupe key), and this one writes neither.
  const inserted = await trx
    .insertInto('sessions')
    .values(fresh.map((w) => w.row))
    .onConflict((oc) => oc.columns(['account_id', 'id']).doNothing())
    .returning('id')
    .execute();
  const stored = new Set(inserted.map((r) => r.id));
  const ledger = fresh.filter((w) => stored.has(w.row.id)).map((w) => w.ledger);
  if (ledger.length) await trx.insertInto('session_events').values(ledger).execute();
  // Last: the stream head's lock is held from here to the commit (change-log.ts).
  if (stream && stored.size) {
    const rows = fresh.filter((w) => stored.has(w.row.id));
    await new ChangeLog(trx).append(trx, rows.map((w) => ({ accountId: w.row.account_id, sessionId: w.row.id, version: Number(w.row.version), document: w.row.document! })), ledger[0]!.ingested_at);
  }
  return stored;
}
