import type { Kysely } from 'kysely';
import type { Caller } from '../http/operation.js';
import type { Database } from '../store/schema.js';
import type { ReadableChannel } from './channels.js';
import type { Subscription, SubscriptionMeta } from './subscription.js';

/** What the holder's sweep learns from the store about its subscriptions. */
export interface SyncResult {
  /** Unregistered on another instance. */
  readonly gone: Set<string>;
  /** Heartbeats that landed on another instance since the last sweep: each is owed a cmd.onHeartbeat. */
  readonly pulsed: Subscription[];
  /** Channel changes asked for on another instance: the new channels, and the request as stored (to clear it). */
  readonly updates: { subscription: Subscription; channels: ReadableChannel[]; request: string }[];
}

/** A subscription as any instance sees it: its Meta and its authorized channels. */
export interface ListedSubscription {
  readonly meta: SubscriptionMeta;
  readonly channels: readonly ReadableChannel[];
}

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
      .values({
        id: subscription.id,
        user_id: subscription.caller.userId,
        api_key_id: subscription.caller.apiKeyId ?? null,
        meta: JSON.stringify(subscription.meta()),
        channels: JSON.stringify(subscription.channels),
        last_pulse: subscription.lastPulse,
        held_at: subscription.lastPulse,
      })
      .execute();
  }

  /**
   * Records the holder's new channels (and Meta); with `request`, also clears that request from
   * another instance, unless a newer one replaced it meanwhile.
   */
  async setChannels(subscription: Subscription, request?: string): Promise<void> {
    const channels = { channels: JSON.stringify(subscription.channels), meta: JSON.stringify(subscription.meta()) };
    await this.db.updateTable('stream_subscriptions').set(channels).where('id', '=', subscription.id).execute();
    if (request !== undefined) await this.db.updateTable('stream_subscriptions').set({ pending_channels: null }).where('id', '=', subscription.id).where('pending_channels', '=', request).execute();
  }

  /** The channels of a subscription held elsewhere, if it exists and `caller` owns it. */
  async channelsOf(id: string, caller: Caller): Promise<ReadableChannel[] | undefined> {
    const row = await this.owned(id, caller);
    return row?.channels ? (JSON.parse(row.channels) as ReadableChannel[]) : undefined;
  }

  /** Asks the holder to change a subscription's channels; it applies them at its next sweep (or nudge). */
  async requestChannels(id: string, channels: readonly ReadableChannel[]): Promise<string> {
    const request = JSON.stringify(channels);
    await this.db.updateTable('stream_subscriptions').set({ pending_channels: request }).where('id', '=', id).execute();
    return request;
  }

  /** Whether a request is still waiting for the holder: 'applied', 'waiting', or 'gone' (the subscription ended). */
  async requestState(id: string, request: string): Promise<'applied' | 'waiting' | 'gone'> {
    const row = await this.db.selectFrom('stream_subscriptions').select('pending_channels').where('id', '=', id).executeTakeFirst();
    return !row ? 'gone' : row.pending_channels === request ? 'waiting' : 'applied';
  }

  /** Every instance's subscriptions swept since `heldSince` (a crashed instance's stop being listed). */
  async all(heldSince: number): Promise<ListedSubscription[]> {
    const rows = await this.db.selectFrom('stream_subscriptions').select(['meta', 'channels']).where('held_at', '>=', heldSince).where('channels', 'is not', null).orderBy('id').execute();
    return rows.map((r) => ({ meta: JSON.parse(r.meta) as SubscriptionMeta, channels: JSON.parse(r.channels!) as ReadableChannel[] }));
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
   * The holder's sweep: records that it still holds its subscriptions, takes the pulses and channel
   * changes recorded elsewhere, and finds those whose rows are gone (unregistered on another
   * instance); with `staleBefore`, drops the rows of instances that stopped sweeping before it.
   */
  async sync(local: readonly Subscription[], now: number, staleBefore?: number): Promise<SyncResult> {
    const result: SyncResult = { gone: new Set(), pulsed: [], updates: [] };
    const { gone } = result;
    for (let i = 0; i < local.length; i += CHUNK) {
      const chunk = local.slice(i, i + CHUNK);
      const rows = await this.db.selectFrom('stream_subscriptions').select(['id', 'last_pulse', 'pending_channels']).where('id', 'in', chunk.map((s) => s.id)).execute();
      const byId = new Map(rows.map((r) => [r.id, r]));
      for (const subscription of chunk) {
        const row = byId.get(subscription.id);
        if (!row) {
          gone.add(subscription.id);
          continue;
        }
        // last_pulse moves only for heartbeats taken by another instance (the holder's own stay in memory).
        if (Number(row.last_pulse) > subscription.lastPulse) {
          subscription.lastPulse = Number(row.last_pulse);
          result.pulsed.push(subscription);
        }
        if (row.pending_channels) result.updates.push({ subscription, channels: JSON.parse(row.pending_channels) as ReadableChannel[], request: row.pending_channels });
      }
      const alive = chunk.filter((s) => !gone.has(s.id)).map((s) => s.id);
      if (alive.length) await this.db.updateTable('stream_subscriptions').set({ held_at: now }).where('id', 'in', alive).execute();
    }
    if (staleBefore !== undefined) await this.db.deleteFrom('stream_subscriptions').where('held_at', '<', staleBefore).execute();
    return result;
  }

  private async owned(id: string, caller: Caller | undefined) {
    const row = await this.db.selectFrom('stream_subscriptions').select(['user_id', 'api_key_id', 'meta', 'channels']).where('id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    if (caller && (row.user_id !== caller.userId || (row.api_key_id ?? undefined) !== caller.apiKeyId)) return undefined;
    return row;
  }
}
