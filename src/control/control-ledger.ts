import type { Kysely } from 'kysely';
import { recordingsOf } from '../events/recordings.js';
import type { SessionEvent } from '../events/session-event.js';
import type { Database } from '../store/schema.js';

/**
 * What call control needs from a session's ledger that SessionInfo does not show: its recordings
 * (RecordSession's duplicate check, the reconciler) and the hold a parked call is in (unhold names
 * it, so its confirmations are stored once). Read from the events themselves, folded by the same
 * functions as the session.
 */
export class ControlLedger {
  constructor(private readonly db: Kysely<Database>) {}

  private async eventsOf(accountId: string, sessionId: string, types: readonly SessionEvent['type'][]): Promise<SessionEvent[]> {
    const rows = await this.db
      .selectFrom('session_events')
      .select('payload')
      .where('account_id', '=', accountId)
      .where('session_id', '=', sessionId)
      .where('type', 'in', types)
      .orderBy('occurred_at')
      .orderBy('seq')
      .execute();
    return rows.map((r) => JSON.parse(r.payload) as SessionEvent);
  }

  /** Each recording's furthest status (recordings.ts). */
  async recordings(accountId: string, sessionId: string): Promise<Map<string, string>> {
    return recordingsOf(await this.eventsOf(accountId, sessionId, ['RecordingStatus', 'ControlRequested']));
  }

  /** The latest hold-queue hold of the leg Twilio took (or may have taken), by its holdId. */
  async latestQueueHold(accountId: string, sessionId: string, callSid: string): Promise<string | undefined> {
    let latest: string | undefined;
    for (const event of await this.eventsOf(accountId, sessionId, ['ControlRequested'])) {
      if (event.type === 'ControlRequested' && event.command === 'hold' && event.callSid === callSid && event.outcome !== 'failed' && event.holdId) latest = event.holdId;
    }
    return latest;
  }
}
