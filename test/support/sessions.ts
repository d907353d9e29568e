import { sessionWriter } from '../../src/events/session-writer.js';
import type { SessionInfo } from '../../src/model/session-info.js';
import type { SessionLinks } from '../../src/sessions/session-row.js';
import type { Store } from '../../src/store/open-store.js';
import { goldenSession } from './fixtures.js';

export interface SessionSpec {
  id: string;
  accountId?: string;
  at?: string;
  customerId?: string;
  endpointId?: string;
  from?: string;
  to?: string;
  log?: string[];
  ended?: boolean;
  members?: SessionInfo['members'];
  answeredById?: string;
  queueMemberId?: string;
}

/** A realistic session (the golden one) with the facts a test is about changed. */
export function session(spec: SessionSpec): SessionInfo {
  const golden = goldenSession();
  const at = spec.at ?? '2026-11-20T10:00:00Z';
  return {
    ...golden,
    id: spec.id,
    accountId: spec.accountId ?? 'acct_a',
    accountName: spec.accountId ?? 'acct_a',
    dateCreated: at,
    dateLastModified: at,
    customerId: spec.customerId ?? 'cust_root',
    endpointId: spec.endpointId ?? 'ep_main',
    fromAddress: spec.from ?? '+15035551234',
    toAddress: spec.to ?? '+15035550000',
    log: (spec.log ?? ['Call received', 'Answered by Dana']).map((message, i) => ({
      date: new Date(Date.parse(at) + i * 1000).toISOString().replace('.000Z', 'Z'),
      message,
    })),
    ended: spec.ended ?? true,
    dateCompleted: spec.ended === false ? undefined : at,
    members: spec.members ?? [],
    answeredById: spec.answeredById,
    queueMemberId: spec.queueMemberId,
  };
}

/**
 * Stores a session that arrives whole, as `switchboard import` does (its `SessionImported` event and
 * the row folded from it, through the session writer); false when its id is stored already.
 */
export async function storeWhole(store: Pick<Store, 'db' | 'capabilities'>, whole: SessionInfo, links?: SessionLinks): Promise<boolean> {
  return (await sessionWriter(store).writeWhole([{ session: whole, source: 'import', links }])).size > 0;
}
