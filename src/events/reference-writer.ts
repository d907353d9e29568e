import type { Kysely, Transaction } from 'kysely';
import { ApiError } from '../http/errors.js';
import type { SessionInfo } from '../model/session-info.js';
import { sessionRow, type SessionLinks } from '../sessions/session-row.js';
import { ChangeLog, type ChangeToLog } from '../stream/change-log.js';
import { KeyedMutex } from '../store/keyed-lock.js';
import type { Database } from '../store/schema.js';
import { foldSession, type FoldPolicy } from './fold-session.js';
import { ledgerRow, recordedEvent } from './ledger-row.js';
import type { RecordedEvent } from './session-event.js';
import type { SessionWriter, WholeSession, WriteResult } from './session-writer.js';
import { snapshotEvent } from './snapshot-event.js';

/**
 * The session writer with nothing clever in it, for tests to hold the cached one (cached-writer.ts)
 * against: append the events, read ALL of each touched session's events back, fold them from
 * scratch, write the row. No cache, no group commit, no compiled statements: one transaction per
 * call, and one call at a time in this process (so it needs no row locks; it is not meant for
 * several instances writing at once).
 */
export class ReferenceWriter implements SessionWriter {
  private readonly changes: ChangeLog;
  private readonly listeners: ((position: number) => void)[] = [];
  /** One call at a time: the next starts after the last, whatever its outcome. */
  private readonly turns = new KeyedMutex();
  private unanswered = 0;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly policy: FoldPolicy,
    private readonly now: () => Date,
  ) {
    this.changes = new ChangeLog(db);
  }

  onCommitted(listener: (position: number) => void): void {
    this.listeners.push(listener);
  }

  write(events: readonly RecordedEvent[]): Promise<WriteResult> {
    this.unanswered++;
    return this.oneAtATime(async () => {
      const at = this.now().toISOString();
      const { result, position } = await this.db.transaction().execute(async (trx) => {
        const touched = new Map<string, { accountId: string; sessionId: string }>();
        let appended = 0;
        for (const event of events) {
          const { numInsertedOrUpdatedRows } = await trx
            .insertInto('session_events')
            .values(ledgerRow(event, at))
            .onConflict((oc) => oc.columns(['account_id', 'dedupe_key']).doNothing())
            .executeTakeFirst();
          if (Number(numInsertedOrUpdatedRows ?? 0) === 0) continue;
          appended++;
          touched.set(`${event.accountId}\n${event.sessionId}`, event);
        }
        const changed: ChangeToLog[] = [];
        for (const { accountId, sessionId } of touched.values()) changed.push(await this.refold(trx, accountId, sessionId));
        // Session ids are unique across accounts: checked once every row is written, so two accounts
        // naming one new id in this call are caught as surely as an id stored before.
        for (const sessionId of new Set(events.map((e) => e.sessionId))) await refuseSharedIds(trx, sessionId);
        const position = await this.changes.append(trx, changed, at);
        return { result: { appended, duplicates: events.length - appended, sessionIds: [...touched.values()].map((s) => s.sessionId) }, position };
      });
      if (position) for (const listener of this.listeners) listener(position);
      return result;
    }).finally(() => void this.unanswered--);
  }

  get waiting(): number {
    return this.unanswered;
  }

  writeWhole(sessions: readonly WholeSession[], { stream = true } = {}): Promise<ReadonlySet<string>> {
    return this.oneAtATime(() =>
      this.db.transaction().execute(async (trx) => {
        const at = this.now().toISOString();
        const stored = new Set<string>();
        const changed: ChangeToLog[] = [];
        for (const { session, source, links } of sessions) {
          const id = session.id ?? '';
          if (await trx.selectFrom('sessions').select('id').where('id', '=', id).executeTakeFirst()) continue;
          await trx.insertInto('session_events').values(ledgerRow(snapshotEvent(session, source), at)).execute();
          changed.push(await this.refold(trx, session.accountId ?? '', id, links));
          stored.add(id);
        }
        if (stream && changed.length) await this.changes.append(trx, changed, at);
        return stored;
      }),
    );
  }

  async foldOf(accountId: string, sessionId: string): Promise<SessionInfo> {
    return foldSession(accountId, sessionId, await eventsOf(this.db, accountId, sessionId), this.policy);
  }

  /** The session's row as the fold of its whole ledger, one version on; the parent link is a row fact, kept. */
  private async refold(trx: Transaction<Database>, accountId: string, sessionId: string, links?: SessionLinks): Promise<ChangeToLog> {
    const session = foldSession(accountId, sessionId, await eventsOf(trx, accountId, sessionId), this.policy);
    const stored = await trx.selectFrom('sessions').select('version').where('account_id', '=', accountId).where('id', '=', sessionId).executeTakeFirst();
    const version = Number(stored?.version ?? 0) + 1;
    const { parent_session_id: parentSessionId, ...row } = sessionRow(session, version, links);
    if (stored) await trx.updateTable('sessions').set(row).where('account_id', '=', accountId).where('id', '=', sessionId).execute();
    else await trx.insertInto('sessions').values({ ...row, parent_session_id: parentSessionId }).execute();
    return { accountId, sessionId, version, document: row.document };
  }

  private oneAtATime<T>(work: () => Promise<T>): Promise<T> {
    return this.turns.run('writer', work);
  }
}

/** Every ledger event of a session, in the order it was stored (the fold puts them in its own order). */
async function eventsOf(db: Kysely<Database> | Transaction<Database>, accountId: string, sessionId: string): Promise<RecordedEvent[]> {
  const rows = await db.selectFrom('session_events').selectAll().where('account_id', '=', accountId).where('session_id', '=', sessionId).orderBy('seq').execute();
  return rows.map(recordedEvent);
}

/** An event may not reach into another account's session: refused when the id has rows in two accounts. */
async function refuseSharedIds(trx: Transaction<Database>, sessionId: string) {
  const owners = await trx.selectFrom('sessions').select('account_id').where('id', '=', sessionId).execute();
  if (new Set(owners.map((o) => o.account_id)).size > 1) throw new ApiError('Forbidden', `Session '${sessionId}' belongs to another account`);
}
