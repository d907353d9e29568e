import type { Insertable } from 'kysely';
import type { SessionsTable } from '../store/schema.js';
import type { RecordedEvent } from './session-event.js';

/**
 * A session as this process last committed it: its whole ledger, parsed, and the row written from
 * its fold. Only a hint: `CachedWriter` checks it against the store before each use (`matches`).
 */
export interface CachedFold {
  /** The row's `version` as committed. */
  readonly version: number;
  /** Every ledger event of the session, as `recordedEvent` reads them back; shared, never mutated. */
  readonly events: readonly RecordedEvent[];
  /** The lowest ledger `seq` among `events`: the session's first ledger row. */
  readonly firstSeq: number;
  /** The row as written (its fold columns; `parent_session_id` is not the fold's and is not compared). */
  readonly row: Insertable<SessionsTable>;
  /** The characters of the ledger's payloads: with the document's, what the cache is bounded by. */
  readonly ledgerChars: number;
}

/** An entry's approximate size: the characters of JSON it holds, parsed (events) or not (document). */
const weightOf = (entry: CachedFold) => entry.ledgerChars + entry.row.document.length;

/** What the store says of a session's row and ledger, read in the transaction about to use the cache. */
export interface StoredState {
  readonly version: number;
  readonly events: number;
  readonly firstSeq: number;
}

/**
 * Whether a cached fold is still the store's: same row version, and the same ledger. Ledger rows
 * are only ever appended, or deleted a whole session at a time, and a `seq` is never reused
 * (AUTOINCREMENT / bigserial): while the session's first row (`firstSeq`) is there, none of the
 * cached rows was deleted, even if the session was deleted and re-created up to the same version
 * (a re-created session's rows all have higher `seq`s); then the same count means none was added.
 * The first `seq` rather than the last, so that appending keeps it and a write need not return it.
 */
export function matches(cached: CachedFold, stored: StoredState): boolean {
  return stored.version === cached.version && stored.events === cached.events.length && stored.firstSeq === cached.firstSeq;
}

/**
 * ~36 MB of heap (measured 1.8 bytes per character held, parsed events and documents together):
 * ~6,000 four-event calls (3,300 characters each), live calls whose events arrive minutes apart.
 */
export const DEFAULT_FOLD_CACHE_WEIGHT = 20_000_000;

/**
 * Recently folded sessions, least recently used evicted first, bounded by total weight. One per
 * `CachedWriter` (per store): the keys mean nothing in another database.
 */
export class FoldCache {
  private readonly entries = new Map<string, { readonly fold: CachedFold; readonly weight: number }>();
  private weight = 0;

  constructor(private readonly maxWeight = DEFAULT_FOLD_CACHE_WEIGHT) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: string): CachedFold | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    // Map iteration is insertion order: re-inserting makes it the most recently used.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.fold;
  }

  set(key: string, fold: CachedFold): void {
    this.delete(key);
    const entry = { fold, weight: weightOf(fold) };
    // A session bigger than a share of the whole would evict many others for one hit.
    if (entry.weight > this.maxWeight / 16) return;
    this.entries.set(key, entry);
    this.weight += entry.weight;
    for (const [oldest, evicted] of this.entries) {
      if (this.weight <= this.maxWeight) break;
      this.entries.delete(oldest);
      this.weight -= evicted.weight;
    }
  }

  delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.weight -= entry.weight;
  }
}
