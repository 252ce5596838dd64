import { describe, it } from 'vitest';
import { postgresAvailable } from '../../support/postgres.js';
import { assertRecorderOutage, runRecorderOutage } from '../../support/fault/scenarios/recorder-outage.js';

// The recorder through a database outage (fast tier; test/faults runs a longer outage).
describe.runIf(postgresAvailable())('fault (fast): the recorder while the database is down', () => {
  it('answers 503 with Retry-After within 5 s, and 2xx only after a commit', { timeout: 90_000 }, async () => {
    assertRecorderOutage(await runRecorderOutage({ outageMs: 2_000 }));
  });
});
