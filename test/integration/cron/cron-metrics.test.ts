import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../src/clock.js';
import { parseConfig } from '../../../src/config/load.js';
import { createCronEntries } from '../../../src/cron/cron-entries.js';
import { checkCronDefinition } from '../../../src/cron/cron-queue-check.js';
import { cronDefinitionSchema } from '../../../src/cron/cron-definition.js';
import { createCronRepository } from '../../../src/db/cron.repository.js';
import type { Orm } from '../../../src/db/orm.js';
import { silentLogger } from '../../../src/logger.js';
import { createScheduler, type Scheduler } from '../../../src/scheduler/scheduler.js';
import { createTestDatabase, drivers, type TestDatabase } from '../../support/databases.js';

/**
 * dispatchr_cron_fires_total: config entries by name, API entries together (their names are
 * unbounded), one series per result; fired at the scheduler's start and by its clock.
 */
describe.each(drivers())('cron metrics on %s', (driver) => {
  let testDb: TestDatabase;
  let db: Orm;
  let scheduler: Scheduler;
  const clock = fixedClock('2026-12-07T10:00:00.500Z');
  const config = parseConfig({
    queues: { q: { target: 'http://127.0.0.1:9/', allowPrivateNetwork: true } },
    cron: {
      minutely: { queue: 'q', schedule: '* * * * *', catchUp: 'last' },
      hourly: { queue: 'q', schedule: '0 * * * *', catchUp: 'skip' },
    },
  });

  beforeAll(async () => {
    testDb = await createTestDatabase(driver);
    db = await testDb.openMigrated();
    scheduler = await createScheduler({ config, db, clock, logger: silentLogger });
    await scheduler.start(); // writes the config's entries
    await scheduler.stop({ timeoutMs: 0 }); // the rest is driven by the test's clock
  });
  afterAll(async () => testDb?.cleanup());

  it('counts fired, caught-up and missed fire times per config entry, and API entries together', async () => {
    const cron = createCronRepository(db);
    const parsed = cronDefinitionSchema.parse({ queue: 'q', schedule: '30 * * * *' });
    const checked = checkCronDefinition(parsed, config.queues, config.scheduler.leaseDuration);
    if (!checked.ok) throw new Error('definition refused');
    await createCronEntries({ cron, clock }).put('report-for-acme', checked.definition);

    clock.set(new Date('2026-12-07T10:01:10.000Z')); // 10:01 is on time
    await scheduler.cron.runOnce();
    clock.set(new Date('2026-12-07T13:05:30.000Z')); // three hours down
    await scheduler.cron.runOnce();

    const text = (await scheduler.metrics.render()).body;
    const value = (labels: string) =>
      Number(new RegExp(`^dispatchr_cron_fires_total\\{${labels}\\} (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);
    // minutely: 10:01 and 13:05 on time (within 60 s); 10:02..13:04 missed (183): the last of
    // them fires, 182 do not.
    expect(value('source="config",entry="minutely",result="fired"')).toBe(2);
    expect(value('source="config",entry="minutely",result="caught_up"')).toBe(1);
    expect(value('source="config",entry="minutely",result="missed"')).toBe(182);
    // hourly, catchUp: skip: 11:00, 12:00 and 13:00 missed, none fired.
    expect(value('source="config",entry="hourly",result="missed"')).toBe(3);
    expect(text).not.toMatch(/entry="hourly",result="fired"/);
    // The API entry (10:30, 11:30, 12:30 missed; catchUp last by default) under one bounded label.
    expect(value('source="api",entry="",result="caught_up"')).toBe(1);
    expect(value('source="api",entry="",result="missed"')).toBe(2);
    expect(text).not.toMatch(/report-for-acme/);
  });
});
