import { defineConfig } from 'vitest/config';

// Fault tests start real processes and cut real connections: one file at a time.
export default defineConfig({
  test: {
    include: ['test/faults/**/*.test.ts'],
    pool: 'forks',
    reporters: ['default', './test/support/summary-reporter.ts'],
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 120_000,
    globalSetup: ['test/support/global-setup.ts'],
  },
});
