import { sql, type Kysely, type Transaction } from 'kysely';
import { ApiError } from '../http/errors.js';
import type { SessionInfo } from '../model/session-info.js';
import { sessionRow } from '../sessions/session-row.js';
import type { Database } from '../store/schema.js';
import { DEFAULT_FOLD_POLICY, foldSession, type FoldPolicy } from './fold-session.js';
import { ledgerRow, recordedEvent } from './ledger-row.js';
import type { RecordedEvent } from './session-event.js';

export interface IngestResult {
  /** Events stored by this call. */
  readonly appended: number;
  /** Events already in the ledger (retries): acknowledged, nothing changed. */
  readonly duplicates: number;
  /** Sessions re-folded, in the order first touched. */
  readonly sessionIds: readonly string[];
}

/**
 * Appends events to the ledger and re-folds every session they touch, in ONE transaction: when
 * `ingest` resolves the events are durable and each session row equals the fold of its ledger; when
 * it throws, nothing of the batch was stored.
 */
export class EventIngest {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly policy: FoldPolicy = DEFAULT_FOLD_POLICY,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async ingest(events: readonly RecordedEvent[]): Promise<IngestResult> {
    if (!events.length) return { appended: 0, duplicates: 0, sessionIds: [] };
    const ingestedAt = this.now().toISOString();
    return this.db.transaction().execute(async (trx) => {
      const touched = new Map<string, { accountId: string; sessionId: string }>();
      for (const event of events) await assertOwnSession(trx, event);
      let appended = 0;
      for (const event of events) {
        const result = await trx
          .insertInto('session_events')
          .values(ledgerRow(event, ingestedAt))
          .onConflict((oc) => oc.columns(['account_id', 'dedupe_key']).doNothing())
          .executeTakeFirst();
        if (Number(result.numInsertedOrUpdatedRows ?? 0) > 0) {
          appended++;
          touched.set(`${event.accountId}\n${event.sessionId}`, { accountId: event.accountId, sessionId: event.sessionId });
        }
      }
      for (const { accountId, sessionId } of touched.values()) await refold(trx, accountId, sessionId, this.policy);
      return { appended, duplicates: events.length - appended, sessionIds: [...touched.values()].map((t) => t.sessionId) };
    });
  }

  /** The fold of a session's ledger, as it should be stored (tests and the crash check compare the row to it). */
  async foldOf(accountId: string, sessionId: string): Promise<SessionInfo> {
    return foldSession(accountId, sessionId, await eventsOf(this.db, accountId, sessionId), this.policy);
  }
}

/** Session ids are unique across accounts; an event may not reach into another account's session. */
async function assertOwnSession(trx: Transaction<Database>, event: RecordedEvent) {
  const other = await trx
    .selectFrom('sessions')
    .select('account_id')
    .where('id', '=', event.sessionId)
    .where('account_id', '!=', event.accountId)
    .executeTakeFirst();
  if (other) throw new ApiError('Forbidden', `Session '${event.sessionId}' belongs to another account`);
}

export async function eventsOf(db: Kysely<Database>, accountId: string, sessionId: string): Promise<RecordedEvent[]> {
  const rows = await db
    .selectFrom('session_events')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('session_id', '=', sessionId)
    .execute();
  return rows.map(recordedEvent);
}

/**
 * Takes the session row's lock first (an upsert that bumps the version), so a concurrent ingest for
 * the same session on PostgreSQL waits and then reads this one's events: no lost update. SQLite has
 * one writer, so the lock is free there.
 */
async function refold(trx: Transaction<Database>, accountId: string, sessionId: string, policy: FoldPolicy) {
  const placeholder = sessionRow({ id: sessionId, accountId }, 1);
  const { version } = await trx
    .insertInto('sessions')
    .values(placeholder)
    .onConflict((oc) => oc.columns(['account_id', 'id']).doUpdateSet({ version: sql<number>`sessions.version + 1` }))
    .returning('version')
    .executeTakeFirstOrThrow();
  const session = foldSession(accountId, sessionId, await eventsOf(trx, accountId, sessionId), policy);
  const row = sessionRow(session, Number(version));
  await trx.updateTable('sessions').set({ ...row, account_id: accountId, id: sessionId }).where('account_id', '=', accountId).where('id', '=', sessionId).execute();
}
