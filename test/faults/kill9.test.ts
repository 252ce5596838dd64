import { describe, it } from 'vitest';
import { postgresAvailable } from '../support/postgres.js';
import { assertKill9, runKill9 } from '../support/fault/scenarios/kill9.js';

describe.runIf(postgresAvailable())('fault (full): kill -9 the scheduler under load', () => {
  it(
    '20,000 tasks, 3 kills: loses no task and duplicates only what was in flight at a kill',
    { timeout: 300_000 },
    async () => {
      assertKill9(await runKill9({ tasks: 20_000, kills: 3, drainTimeoutMs: 240_000 }));
    },
  );
});
