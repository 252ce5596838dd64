import { describe, it } from 'vitest';
import { postgresAvailable } from '../support/postgres.js';
import { assertRecorderOutage, runRecorderOutage } from '../support/fault/scenarios/recorder-outage.js';

describe.runIf(postgresAvailable())('fault (full): the recorder while the database is down', () => {
  it('answers 503 with Retry-After within 5 s, and 2xx only after a commit', { timeout: 180_000 }, async () => {
    assertRecorderOutage(await runRecorderOutage({ outageMs: 8_000, clients: 16 }));
  });
});
