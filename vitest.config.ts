import { configDefaults, defineConfig } from 'vitest/config';
import { testDialects } from './test/support/dialects.js';

// The whole suite runs once per store (style habit 6): one vitest project per dialect, each test
// file unchanged; `test/support/test-store.ts` opens the project's store. `*.postgres.test.ts`
// is what only PostgreSQL offers (many instances on one database); SQLite serves one process.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: testDialects().map((dialect) => ({
      extends: true,
      test: {
        name: dialect,
        env: { TEST_DIALECT: dialect },
        exclude: [...configDefaults.exclude, ...(dialect === 'postgres' ? [] : ['test/**/*.postgres.test.ts'])],
        globalSetup: dialect === 'postgres' ? ['./test/support/postgres-global-setup.ts'] : [],
      },
    })),
  },
});
