import twilio from 'twilio';
import type { Delivery } from './scenarios.js';
import { AUTH_TOKEN, PUBLIC_URL } from './directory-seed.js';

export const pathOf = (d: Extract<Delivery, { kind: 'twilio' }>) => d.path + (d.query ? `?${d.query}` : '');

/** Signs a callback the way Twilio does, with the `twilio` package, over the public URL. */
export function sign(path: string, params: Record<string, string>, token = AUTH_TOKEN): string {
  return twilio.getExpectedTwilioSignature(token, PUBLIC_URL + path, params);
}

/**
 * Posts one delivery to a running server, signed; returns the response. Neutral batches need a
 * caller allowed to post events (`authorization`, e.g. a Manager API key as `Bearer …`).
 */
export async function deliver(url: string, d: Delivery, token = AUTH_TOKEN, authorization?: string): Promise<Response> {
  if (d.kind === 'neutral') {
    const headers = { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) };
    return fetch(`${url}/sessions/events`, { method: 'POST', headers, body: JSON.stringify(d.body) });
  }
  const path = pathOf(d);
  return fetch(url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': sign(path, d.params, token) },
    body: new URLSearchParams(d.params).toString(),
  });
}
