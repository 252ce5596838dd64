import { describe, it } from 'vitest';
import { postgresAvailable } from '../../support/postgres.js';
import { assertFencing, runFencing } from '../../support/fault/scenarios/fencing.js';

// Heartbeat fencing: only one scheduler's database path is cut. The fast tier stalls it (a half-open
// network: nothing errors, which is the hard case); test/faults also refuses it.
describe.runIf(postgresAvailable())('fault (fast): a scheduler that cannot heartbeat fences itself', () => {
  it(
    'stalled path: aborts its requests and stops claiming before another scheduler rescues them',
    { timeout: 90_000 },
    async () => {
      assertFencing(await runFencing('stalled'));
    },
  );
});
