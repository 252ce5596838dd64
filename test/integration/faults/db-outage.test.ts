import { describe, it } from 'vitest';
import { postgresAvailable } from '../../support/postgres.js';
import { assertDbOutage, runDbOutage } from '../../support/fault/scenarios/db-outage.js';

// Fast tier of the database outage (the full size is test/faults/db-outage.test.ts).
describe.runIf(postgresAvailable())('fault (fast): the database goes away under load', () => {
  it('loses nothing and resumes dispatching within 15 s of the database being back', { timeout: 120_000 }, async () => {
    assertDbOutage(await runDbOutage({ outageMs: 2_000 }));
  });
});
