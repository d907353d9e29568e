import type { CallInstance } from 'twilio/lib/rest/api/v2010/account/call.js';

/** Twilio's own date format (RFC 2822, `+0000`), which twilio-node parsed into a Date. */
const rfc2822 = (date: Date | null | undefined) => (date && !Number.isNaN(date.getTime()) ? date.toUTCString().replace('GMT', '+0000') : undefined);
const text = (value: string | null | undefined) => (value === null || value === undefined || value === '' ? undefined : value);

/**
 * A Twilio call as Evo's CallInfo: Twilio's fields in camelCase, in CallInfo's member order;
 * Twilio sends `duration` and `price` as strings or null, CallInfo types them int and decimal
 * (an unpriced call is 0).
 */
export function callInfoOf(call: CallInstance) {
  const price = call.price ? Number(call.price) : 0;
  return {
    accountSid: text(call.accountSid),
    answeredBy: text(call.answeredBy),
    callerName: text(call.callerName),
    dateCreated: rfc2822(call.dateCreated),
    dateUpdated: rfc2822(call.dateUpdated),
    direction: text(call.direction),
    duration: call.duration ? Number(call.duration) || 0 : 0,
    endTime: rfc2822(call.endTime),
    forwardedFrom: text(call.forwardedFrom),
    from: text(call.from),
    fromFormatted: text(call.fromFormatted),
    parentCallSid: text(call.parentCallSid),
    phoneNumberSid: text(call.phoneNumberSid),
    price: Number.isFinite(price) ? price : 0,
    priceUnit: text(call.priceUnit),
    sid: text(call.sid),
    startTime: rfc2822(call.startTime),
    status: text(call.status),
    to: text(call.to),
    toFormatted: text(call.toFormatted),
    uri: text(call.uri),
  };
}
