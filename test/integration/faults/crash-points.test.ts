import { describe, it } from 'vitest';
import { postgresAvailable } from '../../support/postgres.js';
import { assertCrashPoint, runCrashPoint } from '../../support/fault/scenarios/crash-points.js';

// Fast tier of the crash points (the full size is test/faults/crash-points.test.ts). Each point has
// its own schema, target and processes, so the three run at the same time.
describe.runIf(postgresAvailable()).concurrent('fault (fast): deterministic crash points', () => {
  for (const point of ['after-claim', 'after-response', 'mid-settle'] as const) {
    it(`${point}: gives the outcome the spec promises`, { timeout: 60_000 }, async () => {
      assertCrashPoint(await runCrashPoint({ point, tasks: 100 }));
    });
  }
});
