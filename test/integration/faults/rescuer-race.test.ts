import { describe, it } from 'vitest';
import { drivers } from '../../support/databases.js';
import { assertRescuerRace, runRescuerRace } from '../../support/fault/scenarios/rescuer-race.js';

// Fast tier, 300 repetitions (the full 1,000 are in test/faults/rescuer-race.test.ts).
describe.each(drivers())('fault (fast): completion racing the rescuer on %s', (driver) => {
  it('never overwrites a completed task', { timeout: 60_000 }, async () => {
    assertRescuerRace(await runRescuerRace(driver, 300));
  });
});
