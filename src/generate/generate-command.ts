import type { Config } from '../config.js';
import { archiveRound } from '../lifecycle/archive-job.js';
import { LifecyclePolicies } from '../lifecycle/lifecycle-policies.js';
import { openStore } from '../store/open-store.js';
import { DEFAULT_GENERATOR, type GeneratorOptions } from './generate-sessions.js';
import { loadGenerated } from './load-generated.js';

/** The day generated data ends on: today, midnight UTC, so a rerun on the same day is identical. */
export const generationEnd = (now: Date) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));

/**
 * `switchboard generate [COUNT]`: fills the database with COUNT realistic sessions (default 1,000,000;
 * 20 accounts, 90 days ending today, seed 1), then archives what is past the live window, as the
 * background job would have.
 */
export async function generateCommand(config: Config, args: readonly string[], out: (line: string) => void, now: Date): Promise<number> {
  const count = args[0] === undefined ? DEFAULT_GENERATOR.sessions : Number(args[0]);
  if (!Number.isInteger(count) || count < 1) {
    throw new RangeError(`generate takes a number of sessions (a whole number ≥ 1), got '${args[0]}'`);
  }
  const options: GeneratorOptions = { ...DEFAULT_GENERATOR, sessions: count, endAt: generationEnd(now) };
  const store = await openStore(config.databaseUrl);
  try {
    await store.migrate();
    const started = Date.now();
    await loadGenerated(store, options, (loaded) => {
      if (loaded % 100_000 === 0) out(`${loaded} sessions…`);
    });
    const clock = () => options.endAt;
    await archiveRound(store.db, store.capabilities.jobLock, new LifecyclePolicies(store.db, clock), clock, false);
    await store.capabilities.refreshStatistics(store.db);
    out(`Generated ${count} sessions in ${((Date.now() - started) / 1000).toFixed(0)} s into ${config.databaseUrl}.`);
  } finally {
    await store.close();
  }
  return 0;
}
