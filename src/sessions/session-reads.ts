import type { Caller } from '../http/operation.js';
import type { ReadAdmission } from '../http/read-admission.js';
import { readListPage, type ListPageRequest, type ListPageResult } from './list-page.js';
import type { SessionListRepository } from './list-repository.js';

/**
 * The session reads that can take long (lists, text search, an agent's unended sessions), behind
 * one seam: inline on the store's own connection, or on read workers (worker-session-reads.ts),
 * whose answers are the same (test/sessions/session-reads.test.ts).
 */
export interface SessionReads {
  listPage(request: ListPageRequest): Promise<ListPageResult>;
  /** Canonical documents of the unended sessions of these accounts, newest first, at most `limit`. */
  unended(accountIds: readonly string[] | 'all', limit: number): Promise<string[]>;
}

/** A caller's reads: the same reads, each waiting for its turn (read-admission.ts). */
export type ReadsOf = (caller: Caller | undefined) => SessionReads;

/** The reads run by this process on the repository's connection. */
export function inlineSessionReads(lists: SessionListRepository): SessionReads {
  return {
    listPage: (request) => readListPage(lists, request),
    unended: (accountIds, limit) =>
      lists.page({ accountIds, unendedOnly: true, searchArchive: true }, { field: 'dateCreated', order: 'Descend' }, 0, limit),
  };
}

/** Who waits in which turn: a machine by its key, a person by their user (many sign-ins, one turn). */
const turnOf = (caller: Caller | undefined) => (caller ? (caller.apiKeyId ? `key:${caller.apiKeyId}` : `user:${caller.userId}`) : 'anonymous');

/** Each caller's reads admitted in that caller's turn (read-admission.ts). */
export function admittedReads(reads: SessionReads, admission: ReadAdmission): ReadsOf {
  return (caller) => {
    const turn = turnOf(caller);
    return {
      listPage: (request) => admission.run(turn, () => reads.listPage(request)),
      unended: (accountIds, limit) => admission.run(turn, () => reads.unended(accountIds, limit)),
    };
  };
}
