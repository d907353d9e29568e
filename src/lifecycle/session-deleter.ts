import type { Kysely, Transaction } from 'kysely';
import type { Database, DeletionAuditsTable } from '../store/schema.js';
import { ChangeLog } from '../stream/change-log.js';

export interface DeletionRange {
  readonly accountId: string;
  /** ISO-8601 UTC bounds on dateCreated, both inclusive. */
  readonly from?: string;
  readonly to: string;
}

export interface DeletionReport {
  readonly auditSeq: number;
  readonly deleted: number;
  /** Sessions in the range kept because of a legal hold. */
  readonly held: number;
}

/** Sessions deleted per transaction: small enough that a request waits at most a few milliseconds. */
export const DELETE_BATCH = 500;

const yieldToRequests = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Deletes an account's sessions created in a range, with their events, in short transactions, and
 * records who deleted what (one audit row, one line per session). Held sessions are skipped. Each
 * deletion goes out on the live stream as `{channel}@cmd.SessionDeleted` (and is replayed on resume).
 */
export async function deleteSessionsInRange(
  db: Kysely<Database>,
  range: DeletionRange,
  audit: Pick<DeletionAuditsTable, 'deleted_by' | 'cause' | 'occurred_at'>,
  runBatch: <T>(batch: (trx: Transaction<Database>) => Promise<T>) => Promise<T | 'busy'> = (batch) => db.transaction().execute(batch),
  batchSize = DELETE_BATCH,
): Promise<DeletionReport | 'busy'> {
  const { seq } = await db
    .insertInto('deletion_audits')
    .values({ ...audit, account_id: range.accountId, range_start: range.from ?? null, range_end: range.to, deleted_count: 0, held_count: 0 })
    .returning('seq')
    .executeTakeFirstOrThrow();
  let deleted = 0;
  const changes = new ChangeLog(db);
  for (;;) {
    const removed = await runBatch(async (trx) => {
      const ids = await candidates(trx, range).limit(batchSize).execute();
      if (ids.length === 0) return 0;
      const sessionIds = ids.map((r) => r.id);
      const gone = await changes.changesOf(trx, range.accountId, sessionIds, 'deleted');
      await trx.insertInto('deletion_audit_sessions').values(sessionIds.map((session_id) => ({ audit_seq: seq, account_id: range.accountId, session_id }))).execute();
      await trx.deleteFrom('session_events').where('account_id', '=', range.accountId).where('session_id', 'in', sessionIds).execute();
      await trx.deleteFrom('chat_members').where('account_id', '=', range.accountId).where('session_id', 'in', sessionIds).execute();
      await trx.deleteFrom('sessions').where('account_id', '=', range.accountId).where('id', 'in', sessionIds).execute();
      // Wall-clock time, as the stream's history window is (a lifecycle clock may be a test's).
      await changes.append(trx, gone, new Date().toISOString());
      return sessionIds.length;
    });
    if (removed === 'busy') return 'busy';
    deleted += removed;
    if (removed < batchSize) break;
    await yieldToRequests();
  }
  const held = await heldInRange(db, range);
  await db.updateTable('deletion_audits').set({ deleted_count: deleted, held_count: held }).where('seq', '=', seq).execute();
  return { auditSeq: Number(seq), deleted, held };
}

function candidates(db: Kysely<Database>, range: DeletionRange) {
  let query = db
    .selectFrom('sessions as s')
    .select('s.id')
    .where('s.account_id', '=', range.accountId)
    .where('s.date_created', '<=', range.to)
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('session_legal_holds as h').select('h.session_id').whereRef('h.account_id', '=', 's.account_id').whereRef('h.session_id', '=', 's.id'))),
    );
  if (range.from !== undefined) query = query.where('s.date_created', '>=', range.from);
  return query;
}

async function heldInRange(db: Kysely<Database>, range: DeletionRange): Promise<number> {
  let query = db
    .selectFrom('sessions as s')
    .innerJoin('session_legal_holds as h', (join) => join.onRef('h.account_id', '=', 's.account_id').onRef('h.session_id', '=', 's.id'))
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('s.account_id', '=', range.accountId)
    .where('s.date_created', '<=', range.to);
  if (range.from !== undefined) query = query.where('s.date_created', '>=', range.from);
  const { n } = await query.executeTakeFirstOrThrow();
  return Number(n);
}
