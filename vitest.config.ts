import { defineConfig } from 'vitest/config';

// Integration test files isolate themselves (own SQLite file, own PostgreSQL schema), so files run
// in parallel; the fault suite has its own config and runs one file at a time.
export default defineConfig({
  test: {
    include: [
      'test/unit/**/*.test.ts',
      'test/integration/**/*.test.ts',
      'test/security/**/*.test.ts',
      // The dashboard in a real browser (Debian's Chromium through playwright-core).
      'test/ui/**/*.test.ts',
      'examples/**/*.test.ts',
    ],
    exclude: ['**/node_modules/**', 'test/faults/**'],
    pool: 'forks',
    reporters: ['default', './test/support/summary-reporter.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    setupFiles: [],
    globalSetup: ['test/support/global-setup.ts'],
  },
});
