import { describe, it } from 'vitest';
import { postgresAvailable } from '../support/postgres.js';
import {
  assertCronKill,
  assertCronSchedulers,
  runCronKillDuringFire,
  runCronSchedulers,
} from '../support/fault/scenarios/cron.js';

describe.runIf(postgresAvailable())('fault (full): cron on one PostgreSQL', () => {
  it('four schedulers fire a 1 s entry for 30 s: no fire time twice, none missed', { timeout: 120_000 }, async () => {
    assertCronSchedulers(await runCronSchedulers({ schedulers: 4, seconds: 30 }));
  });

  it(
    'kill -9 inside the fire transaction, twice: each fire time being fired gets exactly one task',
    { timeout: 120_000 },
    async () => {
      assertCronKill(await runCronKillDuringFire({ kills: 2, pass: 3, downMs: 3_000, afterSeconds: 3 }));
    },
  );
});
