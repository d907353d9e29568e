import type { Insertable, Kysely, Transaction } from 'kysely';
import type { SessionInfo } from '../model/session-info.js';
import { sessionRow, type SessionLinks } from '../sessions/session-row.js';
import type { Database, SessionEventsTable, SessionsTable } from '../store/schema.js';
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
 * per table for the whole batch: `generate` writes 1,000 sessions a statement.
 */
export async function insertSnapshots(trx: Transaction<Database> | Kysely<Database>, writes: readonly SnapshotWrite[]): Promise<Set<string>> {
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
  return stored;
}
