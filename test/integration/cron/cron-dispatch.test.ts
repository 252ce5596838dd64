import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/clock.js';
import { parseConfig } from '../../../src/config/load.js';
import { createCronEntries } from '../../../src/cron/cron-entries.js';
import { createCronRepository } from '../../../src/db/cron.repository.js';
import type { Orm } from '../../../src/db/orm.js';
import { toDate } from '../../../src/db/task-row.js';
import { silentLogger } from '../../../src/logger.js';
import { createScheduler, type Scheduler } from '../../../src/scheduler/scheduler.js';
import { createTestDatabase, drivers, type TestDatabase } from '../../support/databases.js';
import { startTargetServer, waitFor, type ReceivedRequest, type TargetServer } from '../../support/target-server.js';

/**
 * Cron in real time: a real scheduler with every-second entries against a real target. Which fire
 * times fire is read from the entry itself (its next_fire_at has passed the window's end), not from
 * how fast the loop runs: every whole second after the start and up to the window's end must reach
 * the target once, with its fire time in the headers; a retried task keeps its fire time.
 */
const WINDOW_MS = 5_000;
const RFC3339_WHOLE_SECOND = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.000)?Z$/;
const header = (request: ReceivedRequest, name: string) => request.headers[name] as string | undefined;

describe.each(drivers())('cron dispatch on %s', (driver) => {
  let testDb: TestDatabase;
  let db: Orm;
  let target: TargetServer;
  let scheduler: Scheduler;
  let startedFrom = 0;
  let startedBy = 0;

  beforeAll(async () => {
    target = await startTargetServer({
      // Each flaky task's first attempt fails, its second succeeds.
      '/flaky': (request, res) => {
        const id = header(request, 'webhook-id');
        res
          .writeHead(target.for('/flaky').filter((r) => header(r, 'webhook-id') === id).length === 1 ? 500 : 200)
          .end();
      },
    });
    testDb = await createTestDatabase(driver);
    db = await testDb.openMigrated();
    const config = parseConfig({
      database: { url: testDb.url },
      scheduler: { leaseDuration: '10s', pollInterval: '200ms', heartbeatInterval: '1s', shutdownTimeout: '1s' },
      queues: {
        tick: { target: `${target.url}/tick`, allowPrivateNetwork: true, timeout: '2s' },
        flaky: {
          target: `${target.url}/flaky`,
          allowPrivateNetwork: true,
          timeout: '2s',
          retry: { strategy: 'fixed', options: { delay: '100ms' } },
        },
      },
      cron: {
        tick: { queue: 'tick', schedule: '* * * * * *' },
        flaky: { queue: 'flaky', schedule: '* * * * * *', maxAttempts: 3 },
      },
    });
    scheduler = await createScheduler({ config, db, logger: silentLogger });
    // The config's entries are written during start: the first fire time is after some instant between these.
    startedFrom = Date.now();
    await scheduler.start();
    startedBy = Date.now();
  });

  afterAll(async () => {
    await scheduler?.stop({ timeoutMs: 1_000 });
    await target?.close();
    await testDb?.cleanup();
  });

  const cron = () => createCronRepository(db);

  /** Stops the entry (paused) and waits until every task it created has completed. */
  async function settle(name: string) {
    await createCronEntries({ cron: cron(), clock: systemClock }).setPaused(name, true);
    const pausedBy = Date.now();
    const p = db.driver.placeholder;
    const read = async () =>
      db.sql.query(`select id, state, cron_fire_at from dispatchr_task where cron = ${p(1)} order by id`, [name]);
    await waitFor(async () => (await read()).every((row) => row.state === 'completed'), 20_000, `${name}'s tasks`);
    const tasks = (await read()).map((row) => ({ id: String(row.id), fireAt: toDate(row.cron_fire_at).getTime() }));
    return { tasks, pausedBy };
  }

  it(
    `delivers every whole second of a ${WINDOW_MS / 1000} s window once, with its fire time`,
    { timeout: 40_000 },
    async () => {
      const windowEnd = startedBy + WINDOW_MS;
      await waitFor(
        async () => ((await cron().get('tick'))?.nextFireAt?.getTime() ?? 0) > windowEnd,
        20_000,
        'the window to be fired',
      );
      const { tasks, pausedBy } = await settle('tick');

      // The fire times, in the order their tasks were created, strictly increase one second at a time.
      const fired = tasks.map((task) => task.fireAt);
      expect(fired).toEqual(fired.map((_, i) => fired[0] + i * 1_000));
      // Every whole second after the start up to the window's end; at the edges only seconds after
      // the start began (the entry is written during it) and not after the pause answered.
      const certain: number[] = [];
      for (let s = Math.floor(startedBy / 1000) * 1000 + 1000; s <= windowEnd; s += 1000) certain.push(s);
      expect(certain).toHaveLength(WINDOW_MS / 1000);
      expect(fired).toEqual(expect.arrayContaining(certain));
      expect(fired[0]).toBeGreaterThan(startedFrom);
      expect(fired.at(-1)).toBeLessThanOrEqual(pausedBy);

      const received = target.for('/tick');
      const fireTimes = received.map((r) => header(r, 'dispatchr-cron-fire-time') ?? '');
      expect(fireTimes.every((value) => RFC3339_WHOLE_SECOND.test(value))).toBe(true);
      expect(new Set(fireTimes).size).toBe(received.length); // each fire time once
      expect(fireTimes.map((value) => Date.parse(value)).sort((a, b) => a - b)).toEqual(fired);
      expect(new Set(received.map((r) => header(r, 'webhook-id')))).toEqual(new Set(tasks.map((task) => task.id)));
      for (const request of received) {
        expect(header(request, 'dispatchr-cron')).toBe('tick');
        expect(header(request, 'dispatchr-scheduled-at')).toBeTruthy();
      }
    },
  );

  it('a retried cron task sends the same fire time on its second attempt', { timeout: 30_000 }, async () => {
    await waitFor(async () => target.for('/flaky').length >= 2, 20_000, 'a flaky task to be retried');
    const { tasks } = await settle('flaky');
    expect(tasks.length).toBeGreaterThan(0);
    for (const task of tasks) {
      const attempts = target.for('/flaky').filter((r) => header(r, 'webhook-id') === task.id);
      expect(attempts.map((r) => header(r, 'dispatchr-attempt'))).toEqual(['1', '2']);
      const fireTime = new Date(task.fireAt).toISOString();
      expect(attempts.map((r) => new Date(header(r, 'dispatchr-cron-fire-time')!).toISOString())).toEqual([
        fireTime,
        fireTime,
      ]);
      expect(attempts.map((r) => header(r, 'dispatchr-cron'))).toEqual(['flaky', 'flaky']);
    }
  });
});
