import type { SessionEvent } from './session-event.js';

/**
 * How far along a recording is. Twilio's recording callbacks (in-progress, completed, absent) arrive
 * in any order and repeat, so a status applies only when it goes further than the one the recording
 * has: a late `in-progress` after `completed` leaves it completed. `requested` is RecordSession's
 * own accepted command (Twilio answered 201 with the recording's SID), before any callback.
 */
const RECORDING_RANK: Readonly<Record<string, number>> = {
  requested: 0,
  'in-progress': 1,
  paused: 1,
  stopped: 2,
  processing: 2,
  completed: 3,
  absent: 3,
  failed: 3,
};

/** A recording still taking sound (or about to): a second one on the same call would record it twice. */
export const isRunningRecording = (status: string) => (RECORDING_RANK[status] ?? 3) < 2;

/** Whether `next` moves a recording that is at `previous` (undefined: not seen yet) further along. */
export function advancesRecording(previous: string | undefined, next: string): boolean {
  return previous === undefined || (RECORDING_RANK[next] ?? 0) > (RECORDING_RANK[previous] ?? 0);
}

/**
 * Each recording of a session at its furthest status, from its events in any order: the record
 * commands Twilio accepted and the recording status callbacks (or reconciliations). The fold and
 * RecordSession's duplicate check read recordings through this one function.
 */
export function recordingsOf(events: Iterable<SessionEvent>): Map<string, string> {
  const recordings = new Map<string, string>();
  const see = (sid: string, status: string) => {
    if (advancesRecording(recordings.get(sid), status)) recordings.set(sid, status);
  };
  for (const event of events) {
    if (event.type === 'RecordingStatus') see(event.recordingSid, event.status);
    else if (event.type === 'ControlRequested' && event.command === 'record' && event.outcome === 'accepted' && event.recordingSid) see(event.recordingSid, 'requested');
  }
  return recordings;
}
