import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../store/schema.js';

type Executor = Kysely<Database> | Transaction<Database>;

/**
 * What a change tells: the session as it now is (`{channel}@cmd.SessionInfo`), or that it is gone
 * (`{channel}@cmd.SessionDeleted`, docs/server-events.md).
 */
export type ChangeKind = 'SessionInfo' | 'SessionDeleted';

/** A session as one commit left it: what the stream sends as `{channel}@cmd.{kind}`. */
export interface SessionChange {
  /** The stream's `id:`: commit-ordered, so "after N" never skips a row that committed late. */
  readonly position: number;
  readonly accountId: string;
  readonly sessionId: string;
  readonly version: number;
  /** The SessionInfo JSON; for a deletion, the session as it was last (channels match on it). */
  readonly document: string;
  readonly kind: ChangeKind;
}

/** What a commit changed, before it has positions. */
export interface ChangeToLog {
  readonly accountId: string;
  readonly sessionId: string;
  readonly version: number;
  readonly document: string;
  /** SessionInfo unless said. */
  readonly kind?: ChangeKind;
}

/**
 * The stream's durable history: one row per session per commit, in commit order.
 *
 * Commit order is what a resuming reader needs: one asking for "after N" must never miss a row that
 * got a lower number but committed after N was read. A sequence (`bigserial`) does not give that on
 * PostgreSQL (values are taken before commit, so 7 can commit after 8 is visible). Here positions come
 * from the single `stream_head` row, incremented as the transaction's LAST statement: its row lock is
 * held until COMMIT, so the next transaction to take a position waits until this one is visible, and
 * every snapshot sees a prefix of the positions. SQLite serializes writers anyway; the same SQL runs.
 * Taken last, the lock is held only for the inserts below and the commit itself.
 */
export class ChangeLog {
  constructor(private readonly db: Kysely<Database>) {}

  /** Logs a commit's changes inside its transaction; returns the last position given out (0: none). */
  async append(trx: Transaction<Database>, changes: readonly ChangeToLog[], committedAt: string): Promise<number> {
    if (!changes.length) return 0;
    // An upsert, so a store emptied row by row (tests) takes positions again without a migration.
    const head = await trx
      .insertInto('stream_head')
      .values({ id: 1, position: changes.length, pruned_through: 0 })
      .onConflict((oc) => oc.column('id').doUpdateSet({ position: sql<number>`stream_head.position + ${changes.length}` }))
      .returning('position')
      .executeTakeFirstOrThrow();
    const last = Number(head.position);
    const first = last - changes.length + 1;
    await trx
      .insertInto('session_changes')
      .values(changes.map((c, i) => ({ position: first + i, account_id: c.accountId, session_id: c.sessionId, version: c.version, document: c.document, committed_at: committedAt, kind: c.kind ?? 'SessionInfo' })))
      .execute();
    return last;
  }

  /**
   * The changes of sessions about to be archived or deleted in `trx`, read from their rows (so before
   * a deletion): an archived session is sent again whole, at its version, with `"archived":true`; a
   * deleted one as SessionDeleted at a version above any it had. Sessions never folded (no document) are skipped.
   */
  async changesOf(trx: Transaction<Database>, accountId: string, sessionIds: readonly string[], what: 'archived' | 'deleted'): Promise<ChangeToLog[]> {
    if (!sessionIds.length) return [];
    const rows = await trx.selectFrom('sessions').select(['id', 'version', 'document']).where('account_id', '=', accountId).where('id', 'in', [...sessionIds]).orderBy('id').execute();
    return rows
      .filter((r) => r.document)
      .map((r) =>
        what === 'archived'
          ? { accountId, sessionId: r.id, version: Number(r.version), document: withMember(r.document!, '"archived":true') }
          : { accountId, sessionId: r.id, version: Number(r.version) + 1, document: r.document!, kind: 'SessionDeleted' as const },
      );
  }

  /** The last position given out, and the last pruned from history (0, 0 on an empty store). */
  async head(db: Executor = this.db): Promise<{ position: number; prunedThrough: number }> {
    const row = await db.selectFrom('stream_head').select(['position', 'pruned_through']).where('id', '=', 1).executeTakeFirst();
    return { position: Number(row?.position ?? 0), prunedThrough: Number(row?.pruned_through ?? 0) };
  }

  /**
   * Changes after `after`, in position order, at most `limit`; only `accountIds`' when given. A reader
   * gets a prefix of the commit order (see the class comment), so the last position it read is a safe
   * place to continue from.
   */
  async after(after: number, limit: number, accountIds?: readonly string[]): Promise<SessionChange[]> {
    if (accountIds && !accountIds.length) return [];
    let query = this.db.selectFrom('session_changes').select(['position', 'account_id', 'session_id', 'version', 'document', 'kind']).where('position', '>', after);
    if (accountIds) query = query.where('account_id', 'in', [...accountIds]);
    const rows = await query.orderBy('position').limit(limit).execute();
    return rows.map((r) => ({ position: Number(r.position), accountId: r.account_id, sessionId: r.session_id, version: Number(r.version), document: r.document, kind: r.kind as ChangeKind }));
  }

  /**
   * Drops changes committed before `before` (the history window), in one statement, and records how
   * far: a client resuming from a position at or below that is told to resync (cmd.onResync).
   */
  async prune(before: string): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const last = await trx.selectFrom('session_changes').select((eb) => eb.fn.max('position').as('p')).where('committed_at', '<', before).executeTakeFirst();
      const through = Number(last?.p ?? 0);
      if (!through) return 0;
      await trx.deleteFrom('session_changes').where('position', '<=', through).execute();
      await trx.updateTable('stream_head').set({ pruned_through: sql<number>`CASE WHEN pruned_through < ${through} THEN ${through} ELSE pruned_through END` }).where('id', '=', 1).execute();
      return through;
    });
  }
}

/** A JSON object's text with one more member (`"name":value`) at its end. */
export const withMember = (document: string, member: string) => `${document.slice(0, -1)}${document.length > 2 ? ',' : ''}${member}}`;
