import type { Kysely } from 'kysely';
import type { SessionInfo } from '../model/session-info.js';
import type { Database } from '../store/schema.js';
import type { ChangeFacts } from './channels.js';
import type { SessionChange } from './change-log.js';

/**
 * How long an account's customer tree is trusted: a customer moved under another reaches the stream's
 * subtree channels within this. One read per account per window, and only while changes flow.
 */
const TREE_TTL_MS = 5_000;

/**
 * Works out what a change is about (its customer's ancestors, the endpoints involved), once per change
 * whatever the number of subscribers: parsing the document costs ~20 µs, matching it a few map reads.
 */
export class ChangeFactsReader {
  private readonly trees = new Map<string, { parents: Map<string, string | null>; until: number }>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => number = Date.now,
  ) {}

  async factsOf(change: SessionChange): Promise<ChangeFacts> {
    const session = JSON.parse(change.document) as SessionInfo;
    const endpointIds = new Set<string>();
    for (const id of [session.endpointId, session.answeredById, session.queueMemberId, ...(session.members ?? []).map((m) => m.endpointId)]) {
      if (id) endpointIds.add(id);
    }
    const customerPath = session.customerId ? await this.pathOf(change.accountId, session.customerId) : [];
    return { accountId: change.accountId, sessionId: change.sessionId, customerPath, endpointIds };
  }

  private async pathOf(accountId: string, customerId: string): Promise<string[]> {
    let tree = this.trees.get(accountId);
    // An unknown customer re-reads the tree, at most once a second (an import may name customers it never created).
    const stale = !tree || tree.until < this.now() || (!tree.parents.has(customerId) && tree.until - TREE_TTL_MS + 1_000 < this.now());
    if (stale || !tree) {
      const rows = await this.db.selectFrom('customers').select(['id', 'parent_customer_id']).where('account_id', '=', accountId).execute();
      tree = { parents: new Map(rows.map((r) => [r.id, r.parent_customer_id])), until: this.now() + TREE_TTL_MS };
      this.trees.set(accountId, tree);
    }
    const path: string[] = [];
    // Bounded by the tree's size, so a cycle left by a bad import cannot spin forever.
    for (let id: string | null | undefined = customerId; id && path.length <= tree.parents.size && !path.includes(id); id = tree.parents.get(id)) path.push(id);
    return path;
  }
}
