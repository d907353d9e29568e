import type { Kysely } from 'kysely';
import { recordingsOf } from '../events/recordings.js';
import type { SessionEvent } from '../events/session-event.js';
import type { Database } from '../store/schema.js';

/**
 * A session's recordings as its ledger has them (record commands Twilio accepted, recording status
 * callbacks), for RecordSession's duplicate check and the reconciler. SessionInfo has no field for
 * them, so they are read from the events, folded by the same function as the session's log.
 */
export class SessionRecordings {
  constructor(private readonly db: Kysely<Database>) {}

  /** Each recording's furthest status (recordings.ts). */
  async of(accountId: string, sessionId: string): Promise<Map<string, string>> {
    const rows = await this.db
      .selectFrom('session_events')
      .select('payload')
      .where('account_id', '=', accountId)
      .where('session_id', '=', sessionId)
      .where('type', 'in', ['RecordingStatus', 'ControlRequested'])
      .execute();
    return recordingsOf(rows.map((r) => JSON.parse(r.payload) as SessionEvent));
  }
}
