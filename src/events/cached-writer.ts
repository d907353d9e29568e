import { sql, type Kysely, type Transaction } from 'kysely';
import { ApiError } from '../http/errors.js';
import type { SessionInfo } from '../model/session-info.js';
import { sessionRow } from '../sessions/session-row.js';
import { ChangeLog } from '../stream/change-log.js';
import type { Database } from '../store/schema.js';
import type { WriteConcurrency } from '../store/write-concurrency.js';
import { FoldCache, type CachedFold } from './fold-cache.js';
import { foldSession, type FoldPolicy } from './fold-session.js';
import { IngestStatements } from './ingest-statements.js';
import { ledgerRow, recordedEvent } from './ledger-row.js';
import type { RecordedEvent } from './session-event.js';
import { SessionRefold, type Appended, type Known } from './session-refold.js';
import type { SessionWriter, WholeSession, WriteResult } from './session-writer.js';
import { insertSnapshots, snapshotWrite } from './snapshot-writes.js';

interface Pending {
  readonly events: readonly RecordedEvent[];
  resolve(result: WriteResult): void;
  reject(error: unknown): void;
}

/** Most requests' events committed together in one group commit. */
const MAX_GROUP = 256;

/**
 * Group commits in flight at once where the store does not serialize writers (PostgreSQL): one at a
 * time would cap ingest at one commit's latency; the server merges concurrent commits' WAL flushes.
 */
const PARALLEL_COMMITS = 4;

// SQLite allows 32766 bound values per statement; a sessions row has 17 columns, a ledger row 10.
const SNAPSHOT_BATCH = 1000;

/** Attempts of a commit that lost a deadlock or serialization race to another instance's. */
const MAX_ATTEMPTS = 5;

/**
 * The session writer of the server (session-writer.ts), the fast one: its rows are exactly the
 * reference writer's (reference-writer.ts; writer-equivalence.property.test.ts), from less work.
 *
 * Requests that arrive while a commit is running wait and are committed together (group commit):
 * SQLite has one writer, and a commit's page writes cost far more than the statements in it, so a
 * group amortises them (bench/ingest). If a group fails, its requests are retried one by one so one
 * bad request (say, an event aimed at another account's session) fails alone.
 */
export class CachedWriter implements SessionWriter {
  private readonly pending: Pending[] = [];
  private readonly statements: IngestStatements;
  private readonly refolds: SessionRefold;
  /** Commit loops running; one where the store serializes writers, a few where it does not. */
  private drains = 0;
  private readonly changes: ChangeLog;
  private readonly committedListeners: ((position: number) => void)[] = [];
  private unanswered = 0;
  private readonly answered = () => void this.unanswered--;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly writes: WriteConcurrency,
    private readonly policy: FoldPolicy,
    private readonly now: () => Date,
    private readonly cache: FoldCache = new FoldCache(),
  ) {
    this.statements = new IngestStatements(db);
    this.refolds = new SessionRefold(this.statements, cache, policy);
    this.changes = new ChangeLog(db);
  }

  onCommitted(listener: (position: number) => void): void {
    this.committedListeners.push(listener);
  }

  write(events: readonly RecordedEvent[]): Promise<WriteResult> {
    if (!events.length) return Promise.resolve({ appended: 0, duplicates: 0, sessionIds: [] });
    this.unanswered++;
    const answered = new Promise<WriteResult>((resolve, reject) => {
      this.pending.push({ events, resolve, reject });
      if (this.drains < (this.writes.serializesWriters ? 1 : PARALLEL_COMMITS)) {
        this.drains++;
        // better-sqlite3 is synchronous: a commit started right here would finish before the other
        // requests read in this turn of the event loop reach us. Waiting one turn lets them join.
        setImmediate(() => void this.drain());
      }
    });
    void answered.then(this.answered, this.answered);
    return answered;
  }

  get waiting(): number {
    return this.unanswered;
  }

  async writeWhole(sessions: readonly WholeSession[], { stream = true } = {}): Promise<ReadonlySet<string>> {
    const ingestedAt = this.now().toISOString();
    const stored = new Set<string>();
    for (let i = 0; i < sessions.length; i += SNAPSHOT_BATCH) {
      const writes = sessions.slice(i, i + SNAPSHOT_BATCH).map((w) => snapshotWrite(w.session, w.source, ingestedAt, w.links));
      for (const id of await this.db.transaction().execute((trx) => insertSnapshots(trx, writes, stream))) stored.add(id);
    }
    return stored;
  }

  async foldOf(accountId: string, sessionId: string): Promise<SessionInfo> {
    return foldSession(accountId, sessionId, (await this.statements.eventsOf(this.db, accountId, sessionId)).map(recordedEvent), this.policy);
  }

  private async drain() {
    try {
      while (this.pending.length) {
        const group = this.pending.splice(0, MAX_GROUP);
        let results: WriteResult[];
        try {
          results = await this.commit(group);
        } catch (error) {
          if (group.length === 1) {
            group[0]!.reject(error);
            continue;
          }
          for (const one of group) await this.commit([one]).then(([r]) => one.resolve(r!), (e: unknown) => one.reject(e));
          continue;
        }
        group.forEach((one, i) => one.resolve(results[i]!));
        if (this.pending.length) await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      this.drains--;
    }
  }

  private async commit(group: readonly Pending[]): Promise<WriteResult[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.commitOnce(group);
      } catch (error) {
        if (attempt >= MAX_ATTEMPTS || !this.writes.isTransientConflict(error)) throw error;
      }
    }
  }

  private async commitOnce(group: readonly Pending[]): Promise<WriteResult[]> {
    const ingestedAt = this.now().toISOString();
    // Cached only once committed: a transaction that fails leaves the cache as it was, never ahead.
    const folded = new Map<string, CachedFold>();
    let position = 0;
    const results = await this.db.transaction().execute(async (trx) => {
      // Many instances: every session's row lock first, in one order, before any ledger row. Two
      // commits then wait for each other at their first common session instead of each holding
      // what the other needs (a deadlock, ingest-contention.postgres.test.ts).
      if (!this.writes.serializesWriters) {
        const sessions = new Map(group.flatMap(({ events }) => events.map((e) => [`${e.accountId}\n${e.sessionId}`, e] as const)));
        for (const key of [...sessions.keys()].sort()) await lockSession(trx, sessions.get(key)!.accountId, sessions.get(key)!.sessionId);
      }
      const known = new Map<string, Known>();
      const appendedTo = new Map<string, Appended>();
      const touched = new Map<string, { accountId: string; sessionId: string }>();
      const results: WriteResult[] = [];
      const owners = new Map<string, string>();
      for (const { events } of group) {
        let appended = 0;
        const sessionIds = new Map<string, string>();
        for (const event of events) {
          const key = `${event.accountId}\n${event.sessionId}`;
          // Ids are unique across accounts. `knownOf` sees the rows stored before, not a new id this
          // commit is about to create for another account (found by writer-equivalence.property.test.ts).
          if ((owners.get(event.sessionId) ?? event.accountId) !== event.accountId) throw new ApiError('Forbidden', `Session '${event.sessionId}' belongs to another account`);
          owners.set(event.sessionId, event.accountId);
          // Read before this transaction appends to the session, so a cached fold is checked
          // against the ledger as it was cached.
          if (!known.has(key)) known.set(key, await this.refolds.knownOf(trx, key, event.accountId, event.sessionId));
          const row = ledgerRow(event, ingestedAt);
          if (!(await this.statements.appendEvent(trx, row))) continue;
          appended++;
          sessionIds.set(key, event.sessionId);
          touched.set(key, { accountId: event.accountId, sessionId: event.sessionId });
          let added = appendedTo.get(key);
          if (!added) appendedTo.set(key, (added = { events: [], chars: 0 }));
          // As `eventsOf` would read it back, so the fold cannot tell a cached event from a stored one.
          added.events.push(recordedEvent(row));
          added.chars += row.payload.length;
        }
        results.push({ appended, duplicates: events.length - appended, sessionIds: [...sessionIds.values()] });
      }
      for (const key of [...touched.keys()].sort()) {
        const { accountId, sessionId } = touched.get(key)!;
        folded.set(key, await this.refolds.refold(trx, accountId, sessionId, known.get(key)!, appendedTo.get(key)!));
      }
      // Last, so the stream head's lock is held only for the inserts and the commit (change-log.ts).
      const changed = [...touched.keys()].map((key) => ({ ...touched.get(key)!, version: folded.get(key)!.version, document: folded.get(key)!.row.document! }));
      position = await this.changes.append(trx, changed, ingestedAt);
      return results;
    });
    for (const [key, fold] of folded) this.cache.set(key, fold);
    if (position) for (const listener of this.committedListeners) listener(position);
    return results;
  }
}

/**
 * Locks the session's row, creating an empty one (version 0) if the session is new, without
 * changing an existing one: a retry that turns out to hold only duplicates leaves it as it was.
 */
async function lockSession(trx: Transaction<Database>, accountId: string, sessionId: string) {
  await trx
    .insertInto('sessions')
    .values(sessionRow({ id: sessionId, accountId }, 0))
    .onConflict((oc) => oc.columns(['account_id', 'id']).doUpdateSet({ version: sql<number>`sessions.version` }))
    .execute();
}
