import type { Store } from '../store/open-store.js';
import { archiveRound } from './archive-job.js';
import type { Clock } from './clock.js';
import { LifecyclePolicies } from './lifecycle-policies.js';
import { retentionRound } from './retention-job.js';

export interface LifecycleJobs {
  /** Runs archive, then retention, then refreshes planner statistics; rounds never overlap. */
  runOnce(): Promise<void>;
  stop(): Promise<void>;
}

export interface LifecycleOptions {
  readonly clock: Clock;
  /** Between the end of one round and the start of the next. */
  readonly intervalMs: number;
  readonly onError: (error: unknown) => void;
}

/**
 * Starts the background lifecycle jobs on a timer (first round after one interval). Safe on many
 * instances: each batch takes the store's job lock.
 */
export function startLifecycleJobs(store: Store, options: LifecycleOptions): LifecycleJobs {
  const policies = new LifecyclePolicies(store.db, options.clock);
  let running: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const round = async () => {
    await archiveRound(store.db, store.capabilities.jobLock, policies, options.clock);
    await retentionRound(store.db, store.capabilities.jobLock, policies, options.clock);
    await store.capabilities.refreshStatistics(store.db);
  };
  const runOnce = () => (running ??= round().finally(() => (running = undefined)));
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      runOnce().catch(options.onError).finally(schedule);
    }, options.intervalMs);
    timer.unref();
  };
  schedule();
  return {
    runOnce,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running?.catch(() => {});
    },
  };
}
