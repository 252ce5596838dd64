import { describe, it } from 'vitest';
import { postgresAvailable } from '../support/postgres.js';
import { assertListen, runListen } from '../support/fault/scenarios/listen.js';

describe.runIf(postgresAvailable())('fault (full): the LISTEN connection is dropped', () => {
  it(
    'terminated or half-open, it is replaced, and new tasks are dispatched long before a poll',
    { timeout: 120_000 },
    async () => {
      assertListen(await runListen({ halfOpen: true }));
    },
  );
});
