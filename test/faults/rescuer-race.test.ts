import { describe, it } from 'vitest';
import { drivers } from '../support/databases.js';
import { assertRescuerRace, runRescuerRace } from '../support/fault/scenarios/rescuer-race.js';

describe.each(drivers())('fault (full): completion racing the rescuer on %s', (driver) => {
  it('1,000 repetitions: never overwrites a completed task', { timeout: 120_000 }, async () => {
    assertRescuerRace(await runRescuerRace(driver, 1_000));
  });
});
