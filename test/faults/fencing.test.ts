import { describe, it } from 'vitest';
import { postgresAvailable } from '../support/postgres.js';
import { assertFencing, runFencing } from '../support/fault/scenarios/fencing.js';

describe.runIf(postgresAvailable())('fault (full): a scheduler that cannot heartbeat fences itself', () => {
  for (const mode of ['refused', 'stalled'] as const) {
    it(
      `${mode} path, 20 tasks: aborts its requests and stops claiming before another scheduler rescues them`,
      { timeout: 120_000 },
      async () => {
        assertFencing(await runFencing(mode, 20));
      },
    );
  }
});
