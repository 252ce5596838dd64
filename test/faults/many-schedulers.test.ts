import { describe, it } from 'vitest';
import { postgresAvailable } from '../support/postgres.js';
import { assertManySchedulers, runManySchedulers } from '../support/fault/scenarios/many-schedulers.js';

describe.runIf(postgresAvailable())('fault (full): four schedulers on one PostgreSQL', () => {
  it(
    '20,000 tasks: no double dispatch, and maxConcurrent and the rate hold across them',
    { timeout: 300_000 },
    async () => {
      assertManySchedulers(await runManySchedulers({ schedulers: 4, bulk: 18_000, narrow: 500, rated: 1_500 }));
    },
  );
});
