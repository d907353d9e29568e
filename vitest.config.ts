import { availableParallelism } from 'node:os';
import { configDefaults, defineConfig } from 'vitest/config';
import { loadTestsOnly, testDialects } from './test/support/dialects.js';

// The whole suite runs once per store (style habit 6): one vitest project per dialect, each test
// file unchanged; `test/support/test-store.ts` opens the project's store. `*.postgres.test.ts`
// is what only PostgreSQL offers (many instances on one database); SQLite serves one process.
// `*.load.test.ts` assert what a server does under a flood, so they need the machine to themselves:
// inside the parallel suite the other files' PostgreSQL backends took their CPU (a callback
// overtook 89 lists instead of under 40, 1 full run in 4). `npm test` runs them after the rest,
// one file at a time (TEST_LOAD=1).
const load = loadTestsOnly();

export default defineConfig({
  test: {
    include: load ? ['test/**/*.load.test.ts'] : ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // vitest's default is one worker fewer than the cores: a single worker on a 2-core CI box. Our
    // tests mostly wait (on PostgreSQL, on child servers), so one worker per core finished the
    // suite in 160 s instead of 242 s on the shared 2-core machine.
    maxWorkers: load ? 1 : availableParallelism(),
    projects: testDialects().map((dialect) => ({
      extends: true,
      test: {
        name: dialect,
        env: { TEST_DIALECT: dialect },
        exclude: [...configDefaults.exclude, ...(dialect === 'postgres' ? [] : ['test/**/*.postgres.test.ts']), ...(load ? [] : ['test/**/*.load.test.ts'])],
        globalSetup: dialect === 'postgres' ? ['./test/support/postgres-global-setup.ts'] : [],
      },
    })),
  },
});
