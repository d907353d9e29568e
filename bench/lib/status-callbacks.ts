import twilio from 'twilio';
import type { SignedForm } from './signed-posts.js';
import { ACCOUNT_SID, AUTH_TOKEN, PUBLIC_URL } from '../../test/events/support/directory-seed.js';

/** The webhook the benches post to: Twilio's call status callback. */
export const STATUS_CALLBACK_PATH = '/twilio/voice/status';
const STATUSES = ['initiated', 'ringing', 'in-progress', 'completed'];

/** A status callback as Twilio signs it. */
export type SignedCallback = SignedForm;

/**
 * Signed status callbacks for the seeded account (test/events/support/directory-seed.ts): each call
 * gets its four progress events, calls interleaved as they would be live; `run` keeps runs' calls
 * apart. `callStart(c)` is when call `c` began.
 */
export function statusCallbacks(run: number, count: number, callStart: (c: number) => number): SignedCallback[] {
  const calls = Math.ceil(count / STATUSES.length);
  const out: SignedCallback[] = [];
  for (let step = 0; step < STATUSES.length; step++) {
    for (let c = 0; c < calls && out.length < count; c++) {
      const params = {
        AccountSid: ACCOUNT_SID,
        CallSid: `CA${run.toString(16).padStart(4, '0')}${c.toString(16).padStart(28, '0')}`,
        CallStatus: STATUSES[step]!,
        Direction: 'outbound-api',
        From: '+15035550100',
        To: '+15035559999',
        CallbackSource: 'call-progress-events',
        SequenceNumber: String(step),
        Timestamp: new Date(callStart(c) + step * 1000).toUTCString(),
        ApiVersion: '2010-04-01',
      };
      out.push({ body: new URLSearchParams(params).toString(), signature: twilio.getExpectedTwilioSignature(AUTH_TOKEN, PUBLIC_URL + STATUS_CALLBACK_PATH, params) });
    }
  }
  return out;
}
