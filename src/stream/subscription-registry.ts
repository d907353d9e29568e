import type { Kysely } from 'kysely';
import type { Caller } from '../http/operation.js';
import type { Database } from '../store/schema.js';
import type { Subscription, SubscriptionMeta } from './subscription.js';

/** Ids per statement when the holder syncs its subscriptions. */
const CHUNK = 500;

/**
 * Every instance's live subscriptions, in the store, so a heartbeat or unregister a load balancer
 * sends to another instance than the one holding the stream still finds it: that instance records
 * the pulse (or deletes the row), and the holder learns of it on its next sweep (sync). A crashed
 * instance's rows are dropped once it has not swept them for twice the idle timeout.
 */
export class SubscriptionRegistry {
  constructor(private readonly db: Kysely<Database>) {}

  async add(subscription: Subscription): Promise<void> {
    await this.db
      .insertInto('stream_subscriptions')
      .values({ id: subscription.id, user_id: subscription.caller.userId, api_key_id: subscription.caller.apiKeyId ?? null, meta: JSON.stringify(subscription.meta()), last_pulse: subscription.lastPulse, held_at: subscription.lastPulse })
      .execute();
  }

  async remove(id: string): Promise<void> {
    await this.db.deleteFrom('stream_subscriptions').where('id', '=', id).execute();
  }

  /** A heartbeat for a subscription held elsewhere: true if it exists and `caller` (if any) owns it. */
  async pulse(id: string, caller: Caller | undefined, now: number): Promise<boolean> {
    const row = await this.owned(id, caller);
    if (!row) return false;
    await this.db.updateTable('stream_subscriptions').set({ last_pulse: now }).where('id', '=', id).execute();
    return true;
  }

  /** An unregister for a subscription held elsewhere: its Meta, or undefined when unknown or not the caller's. */
  async unregister(id: string, caller: Caller | undefined): Promise<SubscriptionMeta | undefined> {
    const row = await this.owned(id, caller);
    if (!row) return undefined;
    await this.remove(id);
    return JSON.parse(row.meta) as SubscriptionMeta;
  }

  /**
   * The holder's sweep: records its own subscriptions' pulses, takes pulses recorded elsewhere, and
   * returns the ids whose rows are gone (unregistered on another instance).
   */
  async sync(local: readonly Subscription[], now: number, staleBefore: number): Promise<Set<string>> {
    const gone = new Set<string>();
    for (let i = 0; i < local.length; i += CHUNK) {
      const chunk = local.slice(i, i + CHUNK);
      const rows = await this.db.selectFrom('stream_subscriptions').select(['id', 'last_pulse']).where('id', 'in', chunk.map((s) => s.id)).execute();
      const pulses = new Map(rows.map((r) => [r.id, Number(r.last_pulse)]));
      for (const subscription of chunk) {
        const pulse = pulses.get(subscription.id);
        if (pulse === undefined) gone.add(subscription.id);
        else subscription.lastPulse = Math.max(subscription.lastPulse, pulse);
      }
      const alive = chunk.filter((s) => !gone.has(s.id)).map((s) => s.id);
      if (alive.length) await this.db.updateTable('stream_subscriptions').set({ held_at: now }).where('id', 'in', alive).execute();
    }
    await this.db.deleteFrom('stream_subscriptions').where('held_at', '<', staleBefore).execute();
    return gone;
  }

  private async owned(id: string, caller: Caller | undefined) {
    const row = await this.db.selectFrom('stream_subscriptions').select(['user_id', 'api_key_id', 'meta']).where('id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    if (caller && (row.user_id !== caller.userId || (row.api_key_id ?? undefined) !== caller.apiKeyId)) return undefined;
    return row;
  }
}
