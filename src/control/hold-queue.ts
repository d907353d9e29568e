import { createHash, randomBytes } from 'node:crypto';
import type { Destination } from './destinations.js';
import { dialTwiml } from './destinations.js';

/**
 * Holding a call that is in no conference: Twilio parks it in a queue of its own (`<Enqueue>`),
 * where it hears music, until unhold redirects it to TwiML that dials an agent back. Switchboard
 * serves the queue's TwiML (the wait music, the TwiML after it) on signed routes whose requests
 * are the hold's confirmations (src/webhooks/twilio-hold-routes.ts); every URL names the session,
 * the hold (`hold`, one per HoldSession) and the queue, and Twilio signs them with the query.
 */

/** Twilio's own hold music (the classical playlist of its `holdmusic` twimlet); `loop="0"` plays it until the call leaves. */
export const HOLD_MUSIC_URL = 'http://com.twilio.sounds.music.s3.amazonaws.com/MARKOVICHAMP-Borghestral.mp3';

/** Twilio's limit on a queue's name (docs: `<Enqueue>`, 64 characters). */
const MAX_QUEUE_NAME = 64;

/**
 * The session's hold queue, `hold-<sessionId>` (the name Evo's fixtures show in holdQueueName); a
 * session id too long for Twilio's 64 characters is named by its hash instead.
 */
export function holdQueueName(sessionId: string): string {
  const name = `hold-${sessionId}`;
  return name.length <= MAX_QUEUE_NAME ? name : `hold-${createHash('sha256').update(sessionId).digest('hex').slice(0, 32)}`;
}

/** One hold, from the command to the call leaving the queue: its confirmations carry it, so each is stored once. */
export const newHoldId = (): string => randomBytes(8).toString('hex');

export interface HoldRef {
  readonly sessionId: string;
  readonly holdId: string;
  readonly queueName: string;
}

const query = (ref: HoldRef, extra: Record<string, string> = {}) => new URLSearchParams({ sessionId: ref.sessionId, hold: ref.holdId, queue: ref.queueName, ...extra }).toString();

/** Where Twilio asks for the wait music (the first request confirms the call is in the queue). */
export const holdWaitUrl = (base: string, ref: HoldRef) => `${base}/twilio/hold/wait?${query(ref)}`;
/** `<Enqueue action>`: Twilio reports here how the call left the queue (QueueResult). */
export const holdResultUrl = (base: string, ref: HoldRef, back: string | undefined) => `${base}/twilio/hold/result?${query(ref, back ? { back } : {})}`;
/** Unhold's redirect: Twilio fetches it as the call leaves the queue; it answers the `<Dial>` back to `to`. */
export const holdResumeUrl = (base: string, ref: HoldRef, to: string) => `${base}/twilio/hold/resume?${query(ref, { to })}`;

const xml = (text: string) => text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The hold itself: the call leaves what it was doing (a `<Dial>` bridge to an agent ends with it)
 * and waits in the session's queue. `back` is the agent it was talking to, dialled again should
 * the queue refuse it (queue-full, error) rather than hang up on the caller.
 */
export function enqueueTwiml(base: string, ref: HoldRef, back: string | undefined): string {
  return (
    `<Response><Enqueue action="${xml(holdResultUrl(base, ref, back))}" method="POST" waitUrl="${xml(holdWaitUrl(base, ref))}" waitUrlMethod="POST">` +
    `${xml(ref.queueName)}</Enqueue></Response>`
  );
}

/** What the caller hears while held: the music, looped until the call leaves the queue (Twilio asks again only if it ends). */
export const waitTwiml = (musicUrl: string) => `<Response><Play loop="0">${xml(musicUrl)}</Play></Response>`;

/** The caller back to an agent: a `<Dial>` whose leg reports to the session like any member's. */
export const resumeTwiml = (destination: Destination, statusCallback: string) => dialTwiml(destination, undefined, statusCallback);

export const EMPTY_TWIML = '<Response></Response>';
