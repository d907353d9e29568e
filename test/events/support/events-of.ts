import { DirectoryReads } from '../../../src/events/directory-reads.js';
import { readNeutralEvent } from '../../../src/events/read-neutral-event.js';
import type { RecordedEvent } from '../../../src/events/session-event.js';
import { SessionIds } from '../../../src/events/session-id.js';
import type { Store } from '../../../src/store/open-store.js';
import { callStatusEvent, conferenceEvent, voiceWebhookEvent } from '../../../src/webhooks/twilio-callbacks.js';
import { ACCOUNT_SID } from './directory-seed.js';
import type { Delivery } from './scenarios.js';

/**
 * The ledger events a scenario's deliveries become, read by the same functions the webhook routes
 * and POST /sessions/events use (signatures aside), against a store holding the directory.
 */
export async function eventsOf(store: Store, deliveries: readonly Delivery[]): Promise<RecordedEvent[]> {
  const directory = new DirectoryReads(store.db);
  const ids = new SessionIds(store.db);
  const account = (await directory.accountByTwilioSid(ACCOUNT_SID))!;
  const events: RecordedEvent[] = [];
  for (const d of deliveries) {
    const at = new Date(d.at);
    if (d.kind === 'neutral') {
      for (const [i, raw] of d.body.events.entries()) {
        const read = await readNeutralEvent(d.body.accountId, raw, i, directory, 'system', ids);
        if (!read.event) throw new Error(JSON.stringify(read.problems));
        events.push(read.event);
      }
      continue;
    }
    const query = Object.fromEntries(new URLSearchParams(d.query ?? ''));
    const event =
      d.path === '/twilio/voice'
        ? await voiceWebhookEvent(account, d.params, directory, at, ids)
        : d.path === '/twilio/voice/status'
          ? await callStatusEvent(account, d.params, query, directory, at, ids)
          : await conferenceEvent(account, d.params, query, directory, at, ids);
    if (event) events.push(event);
  }
  return events;
}
