import type { Kysely } from 'kysely';
import { recordingsOf } from '../events/recordings.js';
import type { ControlRequest, SessionEvent } from '../events/session-event.js';
import type { Database } from '../store/schema.js';

/**
 * What call control needs from a session's ledger that SessionInfo does not show: its recordings
 * (RecordSession's duplicate check, the reconciler) and the hold a parked call is in (unhold names
 * it, so its confirmations are stored once). Read from the events themselves, folded by the same
 * functions as the session.
 */
export class ControlLedger {
  constructor(private readonly db: Kysely<Database>) {}

  private async rows(accountId: string, sessionId: string, types: readonly SessionEvent['type'][]): Promise<{ event: SessionEvent; occurredAt: string }[]> {
    const rows = await this.db
      .selectFrom('session_events')
      .select(['payload', 'occurred_at'])
      .where('account_id', '=', accountId)
      .where('session_id', '=', sessionId)
      .where('type', 'in', types)
      .orderBy('occurred_at')
      .orderBy('seq')
      .execute();
    return rows.map((r) => ({ event: JSON.parse(r.payload) as SessionEvent, occurredAt: r.occurred_at }));
  }

  /** Each recording's furthest status (recordings.ts). */
  async recordings(accountId: string, sessionId: string): Promise<Map<string, string>> {
    return recordingsOf((await this.rows(accountId, sessionId, ['RecordingStatus', 'ControlRequested'])).map((r) => r.event));
  }

  /** The latest hold-queue hold of the leg Twilio took (or may have taken), by its holdId. */
  async latestQueueHold(accountId: string, sessionId: string, callSid: string): Promise<string | undefined> {
    let latest: string | undefined;
    for (const { request } of await this.commands(accountId, sessionId)) {
      if (request.command === 'hold' && request.callSid === callSid && request.outcome !== 'failed' && request.holdId) latest = request.holdId;
    }
    return latest;
  }

  /**
   * The hold and mute last asked of Twilio for a leg (commands it accepted), with when: a command
   * on any instance must compare with what was asked, not with the session as it is, while the
   * callback confirming it is on its way (an unhold sent before the hold's callback must still go out).
   */
  async lastAsked(accountId: string, sessionId: string, callSid: string): Promise<{ hold?: Asked; muted?: Asked }> {
    const asked: { hold?: Asked; muted?: Asked } = {};
    for (const { request, at } of await this.commands(accountId, sessionId)) {
      if (request.callSid !== callSid || request.outcome !== 'accepted') continue;
      if (request.command === 'hold' || request.command === 'unhold') asked.hold = { value: request.command === 'hold', at };
      if (request.command === 'mute' || request.command === 'unmute') asked.muted = { value: request.command === 'mute', at };
    }
    return asked;
  }

  /** The session's commands, oldest first. */
  private async commands(accountId: string, sessionId: string): Promise<{ request: ControlRequest; at: number }[]> {
    const rows = await this.rows(accountId, sessionId, ['ControlRequested']);
    return rows.flatMap((row) => (row.event.type === 'ControlRequested' ? [{ request: row.event, at: Date.parse(row.occurredAt) }] : []));
  }
}

/** A desired state a command asked for, and when (ms). */
export interface Asked {
  readonly value: boolean;
  readonly at: number;
}
