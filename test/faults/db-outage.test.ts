import { describe, it } from 'vitest';
import { postgresAvailable } from '../support/postgres.js';
import { assertDbOutage, runDbOutage } from '../support/fault/scenarios/db-outage.js';

// 10 s outages: longer than the 8 s lease, so outcomes that could not be recorded in time are
// given up and their tasks rescued once the database is back.
describe.runIf(postgresAvailable())('fault (full): the database goes away under load', () => {
  it('loses nothing and resumes dispatching within 15 s of the database being back', { timeout: 240_000 }, async () => {
    assertDbOutage(await runDbOutage({ outageMs: 10_000, feedPer100Ms: 30 }));
  });
});
