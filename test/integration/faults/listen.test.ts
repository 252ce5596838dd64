import { describe, it } from 'vitest';
import { postgresAvailable } from '../../support/postgres.js';
import { assertListen, runListen } from '../../support/fault/scenarios/listen.js';

// The LISTEN connection terminated by the server (the full tier adds a half-open listener).
describe.runIf(postgresAvailable())('fault (fast): the LISTEN connection is dropped', () => {
  it('is re-established, and a new task is dispatched at once', { timeout: 90_000 }, async () => {
    assertListen(await runListen());
  });
});
