import type { Insertable, Selectable, Transaction, Updateable } from 'kysely';
import { ApiError } from '../http/errors.js';
import { sessionRow } from '../sessions/session-row.js';
import type { Database, SessionsTable } from '../store/schema.js';
import { matches, type CachedFold, type FoldCache } from './fold-cache.js';
import { foldSession, type FoldPolicy } from './fold-session.js';
import type { IngestStatements } from './ingest-statements.js';
import { recordedEvent } from './ledger-row.js';
import type { RecordedEvent } from './session-event.js';

/**
 * Re-folds the sessions a transaction appended to, from the fold cache where the store confirms
 * it, else from the store. Reads and drops cache entries; `CachedWriter` adds them, once committed.
 */
export class SessionRefold {
  constructor(
    private readonly statements: IngestStatements,
    private readonly cache: FoldCache,
    private readonly policy: FoldPolicy,
  ) {}

  /**
   * What the transaction knows of a session before appending to it: its cached fold if the store
   * confirms it, else its stored row. Refuses a session of another account either way.
   */
  async knownOf(trx: Transaction<Database>, key: string, accountId: string, sessionId: string): Promise<Known> {
    const cached = this.cache.get(key);
    if (cached) {
      const states = await this.statements.sessionStatesById(trx, sessionId);
      refuseOtherOwners(states, accountId, sessionId);
      const state = states.find((s) => s.account_id === accountId);
      if (state && matches(cached, { version: Number(state.version), events: Number(state.events), firstSeq: Number(state.first_seq) })) return { cached };
      // Written by another process or instance, deleted, or re-created since: the store decides.
      this.cache.delete(key);
    }
    const rows = await this.statements.sessionRowsById(trx, sessionId);
    refuseOtherOwners(rows, accountId, sessionId);
    return { stored: rows.find((r) => r.account_id === accountId) };
  }

  /**
   * Re-folds a session and writes its row once: version, and the columns whose value changed. No
   * lost update: SQLite serializes writers, and elsewhere `CachedWriter` holds the row's lock already
   * (`lockSession`), so no other commit can write the row between this read and this write; the
   * UPDATE is conditioned on the version read all the same.
   *
   * A session folded by this process before, unchanged since (`knownOf`), is folded from its cached
   * events plus this transaction's, neither re-reading nor re-parsing its ledger nor its row: the
   * reads it saves cost ~40 µs an event, its check ~8 (SQLite, 4-event calls); ingest's CPU per
   * event -10% in process (groups of 8, search triggers off, A/B in one process).
   */
  async refold(trx: Transaction<Database>, accountId: string, sessionId: string, known: Known, appended: Appended): Promise<CachedFold> {
    if (!('cached' in known)) return this.refoldFromStore(trx, accountId, sessionId, known);
    const { cached } = known;
    const events = [...cached.events, ...appended.events];
    const version = cached.version + 1;
    const after = sessionRow(foldSession(accountId, sessionId, events, this.policy), version);
    if (await this.statements.updateSession(trx, accountId, sessionId, cached.version, changedColumns(cached.row, after))) {
      return { version, events, firstSeq: cached.firstSeq, row: after, ledgerChars: cached.ledgerChars + appended.chars };
    }
    // Unreachable while knownOf checked the entry in this transaction; if reached, nothing was written.
    return this.refoldFromStore(trx, accountId, sessionId);
  }

  /** `refold` from the store's ledger and row (`read` when this transaction has read the row already). */
  private async refoldFromStore(trx: Transaction<Database>, accountId: string, sessionId: string, read?: { readonly stored: Selectable<SessionsTable> | undefined }): Promise<CachedFold> {
    const before = read ? read.stored : await this.statements.sessionRow(trx, accountId, sessionId);
    const rows = await this.statements.eventsOf(trx, accountId, sessionId);
    const events = rows.map(recordedEvent);
    const session = foldSession(accountId, sessionId, events, this.policy);
    const fold = (version: number, row: Insertable<SessionsTable>): CachedFold => ({
      version,
      events,
      firstSeq: events.reduce((first, e) => Math.min(first, e.seq!), Infinity),
      row,
      ledgerChars: rows.reduce((chars, r) => chars + r.payload.length, 0),
    });
    if (!before) {
      // A new session is inserted whole: a placeholder row updated afterwards wrote every index and
      // the text index twice (bench/ingest: server CPU per event -15% at 64 concurrent requests).
      const row = sessionRow(session, 1);
      if (await this.statements.createSession(trx, row)) return fold(1, row);
      // Another writer created it meanwhile (not on SQLite, and not where lockSession created it
      // first); fold again, with its events.
      return this.refoldFromStore(trx, accountId, sessionId);
    }
    const after = sessionRow(session, Number(before.version) + 1);
    if (!(await this.statements.updateSession(trx, accountId, sessionId, Number(before.version), changedColumns(before, after)))) {
      throw new Error(`Session '${sessionId}' changed while its row was locked`);
    }
    return fold(Number(before.version) + 1, after);
  }
}

/** What a transaction knows of a session before appending to it (`knownOf`). */
export type Known = { readonly cached: CachedFold } | { readonly stored: Selectable<SessionsTable> | undefined };

/** This transaction's new ledger events of one session, as read back, and their size. */
export interface Appended {
  readonly events: RecordedEvent[];
  chars: number;
}

/** Session ids are unique across accounts; an event may not reach into another account's session. */
function refuseOtherOwners(rows: readonly { readonly account_id: string }[], accountId: string, sessionId: string) {
  if (rows.some((r) => r.account_id !== accountId)) throw new ApiError('Forbidden', `Session '${sessionId}' belongs to another account`);
}

/**
 * The columns of `after` that differ from `before`, version included. One UPDATE of only those (it
 * used to be a version bump, then a second write of the row): SQLite rewrites the row on each and
 * every index whose columns appear in SET, and those page writes are most of a commit's cost
 * (bench/ingest). The parent link is a row fact set when the session was created or imported, not
 * part of the fold: never written here.
 */
function changedColumns(before: Partial<Record<keyof SessionsTable, unknown>>, after: Insertable<SessionsTable>): Updateable<SessionsTable> {
  const changed: Updateable<SessionsTable> = {};
  for (const key of Object.keys(after) as (keyof typeof after)[]) {
    if (key === 'parent_session_id') continue;
    if (after[key] !== before[key] && !(after[key] === null && before[key] === undefined)) {
      (changed as Record<string, unknown>)[key] = after[key];
    }
  }
  return changed;
}
