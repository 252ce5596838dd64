import { describe, it } from 'vitest';
import { postgresAvailable } from '../support/postgres.js';
import { assertCrashPoint, runCrashPoint } from '../support/fault/scenarios/crash-points.js';

// 1,000 tasks per point; the crash hits the 10th batch, with 9 batches already settled.
describe.runIf(postgresAvailable()).concurrent('fault (full): deterministic crash points', () => {
  for (const point of ['after-claim', 'after-response', 'mid-settle'] as const) {
    it(`${point}: gives the outcome the spec promises`, { timeout: 120_000 }, async () => {
      assertCrashPoint(await runCrashPoint({ point, tasks: 1_000, pass: 10 }));
    });
  }
});
