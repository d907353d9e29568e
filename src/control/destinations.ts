import { validationError } from '../http/errors.js';

/** A place Twilio can dial: the TwiML noun inside `<Dial>` and the address Participants create takes as `To`. */
export interface Destination {
  readonly noun: 'Number' | 'Client' | 'Sip';
  /** The noun's text: `+15035550100`, `dana` (for `client:dana`), `sip:…`. */
  readonly text: string;
  /** As Twilio's `To` and our member identity: `+1503…`, `client:dana`, `sip:…`. */
  readonly address: string;
}

export const E164 = /^\+[1-9]\d{6,14}$/;
const CLIENT = /^client:[A-Za-z0-9_.@-]{1,121}$/;
const SIP = /^sips?:[^\s<>"&']{3,250}$/;
export const CALL_SID = /^CA[0-9a-f]{32}$/;

/** A call SID as Twilio writes them; anything else is a 400 before twilio-node sees it (it throws on `/` or `?`). */
export function assertCallSid(field: string, value: string): string {
  if (!CALL_SID.test(value)) throw validationError(field, 'Predicate', `'${field}' must be a Twilio call SID (CA followed by 32 hex digits).`);
  return value;
}

/** A dialable address (E.164, `client:`, `sip:`), or undefined when it is none (then it may be an endpoint id). */
export function destinationOf(address: string): Destination | undefined {
  const trimmed = address.trim();
  if (E164.test(trimmed)) return { noun: 'Number', text: trimmed, address: trimmed };
  if (CLIENT.test(trimmed)) return { noun: 'Client', text: trimmed.slice('client:'.length), address: trimmed };
  if (SIP.test(trimmed)) return { noun: 'Sip', text: trimmed, address: trimmed };
  return undefined;
}

/**
 * The destination of a transfer or a new member: dialable as given, or an endpoint of the account
 * (its number or client identity). Anything else is a 400 naming the field.
 */
export async function resolveDestination(field: string, value: string | undefined, endpointAddress: (id: string) => Promise<string | undefined>): Promise<Destination> {
  if (!value || value.trim() === '') throw validationError(field, 'NotEmpty', `'${field}' must not be empty.`);
  const direct = destinationOf(value);
  if (direct) return direct;
  const address = /^[\w-]{1,128}$/.test(value) ? await endpointAddress(value) : undefined;
  const resolved = address ? destinationOf(address) : undefined;
  if (!resolved) throw validationError(field, 'InvalidDestination', `'${field}' must be an E.164 number, a client: identity, a sip: URI or an endpoint of the account.`);
  return resolved;
}

const xml = (text: string) => text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Twilio refuses TwiML over 4000 characters (error 32018); ours stays far below, checked anyway. */
export const MAX_TWIML = 4000;

/** `<Dial>` to one destination, its leg's progress reported to `statusCallback` (a member of the session). */
export function dialTwiml(destination: Destination, callerId: string | undefined, statusCallback: string): string {
  const noun = `<${destination.noun} statusCallback="${xml(statusCallback)}" statusCallbackEvent="initiated ringing answered completed">${xml(destination.text)}</${destination.noun}>`;
  return `<Response><Dial${callerId ? ` callerId="${xml(callerId)}"` : ''}>${noun}</Dial></Response>`;
}

/**
 * `<Dial><Conference>` named after the session: the first leg to join fixes the conference's status
 * callback, so every leg subscribes to every event we fold (telephony-events.md; hold and mute only
 * arrive when subscribed). The caller's leg ends the conference when it leaves.
 */
export function conferenceTwiml(name: string, statusCallback: string, endConferenceOnExit: boolean): string {
  return (
    `<Response><Dial><Conference statusCallback="${xml(statusCallback)}" statusCallbackEvent="start end join leave mute hold" ` +
    `endConferenceOnExit="${endConferenceOnExit}" startConferenceOnEnter="true" beep="false">${xml(name)}</Conference></Dial></Response>`
  );
}
