import type { SessionInfo } from '../model/session-info.js';
import type { SessionLinks } from '../sessions/session-row.js';
import type { Store } from '../store/open-store.js';
import { CachedWriter } from './cached-writer.js';
import { DEFAULT_FOLD_POLICY, type FoldPolicy } from './fold-session.js';
import { ReferenceWriter } from './reference-writer.js';
import type { RecordedEvent } from './session-event.js';
import type { SnapshotSource } from './snapshot-event.js';

export interface WriteResult {
  /** Events stored by this call. */
  readonly appended: number;
  /** Events already in the ledger (retries): acknowledged, nothing changed. */
  readonly duplicates: number;
  /** Sessions re-folded, in the order first touched. */
  readonly sessionIds: readonly string[];
}

/** A session that arrives whole (import, `generate`, the demo), with the row facts its document does not carry. */
export interface WholeSession {
  readonly session: SessionInfo;
  readonly source: SnapshotSource;
  readonly links?: SessionLinks;
}

/**
 * The one way a session changes: every path that records something about a session (Twilio's
 * webhooks, POST /sessions/events, the API's commands, call control, messaging, import, `generate`,
 * the demo) hands it events, and it stores them in the ledger and writes the session row as the
 * fold of the session's whole ledger, in one transaction. Callers never see its caches (folds,
 * compiled statements) nor its transactions.
 *
 * @example
 * const writer = sessionWriter(store); await writer.write([event]); // the row is the fold of its ledger
 */
export interface SessionWriter {
  /**
   * Appends the events not in the ledger yet (by their dedupe key), re-folds every session they
   * touched and writes its row, with one stream change per session, in ONE transaction: when it
   * resolves the events are durable; when it throws (an event aimed at another account's session is
   * a 403), none of them was stored.
   */
  write(events: readonly RecordedEvent[]): Promise<WriteResult>;
  /**
   * Stores sessions that arrive whole, each as its `SessionImported` ledger row and the row folded
   * from it, unless a session with its id is stored already (in any account): never overwrites.
   * Returns the ids stored. Each session stored goes out on the live stream (an import, the demo)
   * unless `stream` is false: `generate` fills a store for benchmarks, as a restore would, and a
   * change per generated session would double its writes.
   */
  writeWhole(sessions: readonly WholeSession[], options?: { readonly stream?: boolean }): Promise<ReadonlySet<string>>;
  /** The fold of a session's ledger, as its row should hold it (tests and the crash check compare the row to it). */
  foldOf(accountId: string, sessionId: string): Promise<SessionInfo>;
  /**
   * Calls `listener` with the last stream position of each commit that changed a session, once it is
   * committed (the live stream wakes on it; other instances learn of it from the store).
   */
  onCommitted(listener: (position: number) => void): void;
  /** `write` calls not yet answered: how much ingest is waiting (the live stream gives way to it). */
  readonly waiting: number;
}

export interface SessionWriterOptions {
  readonly policy?: FoldPolicy;
  /** The clock of `ingested_at` and the stream's `committed_at`. */
  readonly now?: () => Date;
  /**
   * `reference`: the plain writer (reference-writer.ts), which re-reads and re-folds a session's whole
   * ledger on every write; tests compare the cached one against it. Default `cached`.
   */
  readonly kind?: 'cached' | 'reference';
}

/** The store's session writer: the cached one unless `kind` asks for the reference. */
export function sessionWriter(store: Pick<Store, 'db' | 'capabilities'>, options: SessionWriterOptions = {}): SessionWriter {
  const policy = options.policy ?? DEFAULT_FOLD_POLICY;
  const now = options.now ?? (() => new Date());
  return options.kind === 'reference' ? new ReferenceWriter(store.db, policy, now) : new CachedWriter(store.db, store.capabilities.writes, policy, now);
}
