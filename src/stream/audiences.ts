import type { ReadableChannel } from './channels.js';
import type { Subscription } from './subscription.js';

/** Subscriptions that follow the same channels, each over the same accounts: they match the same changes. */
export interface Audience {
  readonly channels: readonly ReadableChannel[];
  readonly members: Set<Subscription>;
}

/**
 * The live subscriptions grouped by what they follow. A wallboard's thousand viewers of one account
 * are one audience: a change is matched against its channels and framed once, and the same bytes
 * go to every member (bench/stream.ts: matching and framing per subscriber was a third of the
 * fan-out beside the writes).
 */
export class Audiences {
  private readonly byKey = new Map<string, Audience>();

  add(subscription: Subscription): void {
    const key = keyOf(subscription.channels);
    let audience = this.byKey.get(key);
    if (!audience) {
      audience = { channels: subscription.channels, members: new Set() };
      this.byKey.set(key, audience);
    }
    audience.members.add(subscription);
  }

  /** Takes a subscription out; call before its channels change, and add it again after. */
  remove(subscription: Subscription): void {
    const key = keyOf(subscription.channels);
    const audience = this.byKey.get(key);
    if (!audience?.members.delete(subscription)) return;
    if (!audience.members.size) this.byKey.delete(key);
  }

  /** Each audience with its members as they are now: a round goes to these even if some leave meanwhile. */
  snapshot(): { channels: readonly ReadableChannel[]; members: Subscription[] }[] {
    return [...this.byKey.values()].map((a) => ({ channels: a.channels, members: [...a.members] }));
  }

  values(): IterableIterator<Audience> {
    return this.byKey.values();
  }
}

/** Channel names with the accounts each covers: `*` (and an id found in several accounts) differs by caller. */
function keyOf(channels: readonly ReadableChannel[]): string {
  return channels.map((c) => `${c.name} ${c.accountIds === 'all' ? '*' : c.accountIds.join(',')}`).join('\n');
}
