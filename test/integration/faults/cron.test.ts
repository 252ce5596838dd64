import { describe, it } from 'vitest';
import { postgresAvailable } from '../../support/postgres.js';
import {
  assertCronKill,
  assertCronSchedulers,
  runCronKillDuringFire,
  runCronSchedulers,
} from '../../support/fault/scenarios/cron.js';

// Fast tier of cron under real scheduler processes (the longer runs are test/faults/cron.test.ts).
describe.runIf(postgresAvailable())('fault (fast): cron on one PostgreSQL', () => {
  it('four schedulers fire a 1 s entry for 8 s: no fire time twice, none missed', { timeout: 120_000 }, async () => {
    assertCronSchedulers(await runCronSchedulers({ schedulers: 4, seconds: 8 }));
  });

  it(
    'kill -9 inside the fire transaction: the fire time being fired gets exactly one task after the restart',
    { timeout: 120_000 },
    async () => {
      assertCronKill(await runCronKillDuringFire({ kills: 1, pass: 2, downMs: 1_500, afterSeconds: 2 }));
    },
  );
});
