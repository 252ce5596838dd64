import { describe, it } from 'vitest';
import { postgresAvailable } from '../support/postgres.js';
import { assertSigterm, runSigterm } from '../support/fault/scenarios/sigterm.js';

describe.runIf(postgresAvailable())('fault (full): SIGTERM under load', () => {
  it(
    'exits within shutdownTimeout + 1 s holding nothing, and claims nothing after the signal',
    { timeout: 180_000 },
    async () => {
      assertSigterm(await runSigterm({ tasks: 2_000 }));
    },
  );

  it(
    'a second SIGTERM exits at once; what was running is rescued early by the next scheduler',
    { timeout: 180_000 },
    async () => {
      assertSigterm(await runSigterm({ tasks: 1_000, forced: true }));
    },
  );
});
