import { describe, it } from 'vitest';
import { postgresAvailable } from '../../support/postgres.js';
import { assertManySchedulers, runManySchedulers } from '../../support/fault/scenarios/many-schedulers.js';

// Fast tier of several schedulers on one PostgreSQL (20,000 tasks in test/faults/many-schedulers.test.ts).
describe.runIf(postgresAvailable())('fault (fast): four schedulers on one PostgreSQL', () => {
  it(
    'share the work with no double dispatch, and maxConcurrent and the rate hold across them',
    { timeout: 120_000 },
    async () => {
      assertManySchedulers(await runManySchedulers({ schedulers: 4, bulk: 800, narrow: 80, rated: 250 }));
    },
  );
});
