import { describe, it } from 'vitest';
import { postgresAvailable } from '../../support/postgres.js';
import { assertSigterm, runSigterm } from '../../support/fault/scenarios/sigterm.js';

// Fast tier of SIGTERM under load (the full size, and the forced second signal, are in test/faults).
describe.runIf(postgresAvailable())('fault (fast): SIGTERM under load', () => {
  it(
    'exits within shutdownTimeout + 1 s holding nothing, and claims nothing after the signal',
    { timeout: 90_000 },
    async () => {
      assertSigterm(await runSigterm({ tasks: 300 }));
    },
  );
});
