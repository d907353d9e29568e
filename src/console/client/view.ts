import type { UserInfo } from '../../directory/user-info.js';
import type { SessionStore } from './session-store.js';

/** What every view is given: who is signed in, the account chosen, and the live sessions of it. */
export interface ConsoleContext {
  readonly user: UserInfo;
  readonly accountId: string;
  readonly store: SessionStore;
  /** Re-reads the recent sessions by REST (after a resync, or on demand). */
  reload(): Promise<void>;
}

/** A view draws into `root` and returns what stops it (timers, listeners) when another is shown. */
export type View = (context: ConsoleContext, root: HTMLElement, argument: string) => () => void;

export const isManager = (user: UserInfo) => (user.roles ?? []).some((r) => r === 'Manager' || r === 'SystemAdministrator');

/** Calls `render` at most every `ms`, trailing: a burst of 50 changes a second costs a few renders, not 50. */
export function throttled(render: () => void, ms = 250): { (): void; cancel(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const schedule = () => {
    timer ??= setTimeout(() => {
      timer = undefined;
      render();
    }, ms);
  };
  schedule.cancel = () => clearTimeout(timer);
  return schedule;
}
