import { describe, it } from 'vitest';
import { postgresAvailable } from '../../support/postgres.js';
import { assertKill9, runKill9 } from '../../support/fault/scenarios/kill9.js';

// Fast tier of the kill -9 fault (the full size is test/faults/kill9.test.ts).
describe.runIf(postgresAvailable())('fault (fast): kill -9 the scheduler under load', () => {
  it('loses no task and duplicates only what was in flight at a kill', { timeout: 120_000 }, async () => {
    assertKill9(await runKill9({ tasks: 1_000, kills: 2 }));
  });
});
