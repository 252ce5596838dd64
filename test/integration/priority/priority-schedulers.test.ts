import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { createTaskRepository } from '../../../src/db/task.repository.js';
import { silentLogger } from '../../../src/logger.js';
import { createScheduler, type Scheduler } from '../../../src/scheduler/scheduler.js';
import { createTestDatabase, drivers, type TestDatabase } from '../../support/databases.js';
import { newTask } from '../../support/new-task.js';
import { startTargetServer, waitFor, type TargetServer } from '../../support/target-server.js';

/**
 * A low-priority flood never delays a high-priority task by more than one claim batch (spec
 * 11.1), with real schedulers (three on one PostgreSQL, SQLite's one) and a slow real target:
 * priority-0 tasks created one by one while a flood of priority-9 tasks is being dispatched are
 * each claimed before any priority-9 task whose claim began after it was committed, but for the
 * claims already under way then (at most one per claim loop, each a batch). Read from the tasks'
 * claim times (attempted_at) and the target's arrival order. A claim in run_at order would take
 * the whole flood (due earlier) first: some 200 tasks.
 */
const BATCH = 2;
const FLOOD = 240;
const ROUNDS = 4;

describe.each(drivers())('priority under a flood, with real schedulers, on %s', (driver) => {
  let testDb: TestDatabase | undefined;
  let target: TargetServer | undefined;
  const schedulers: Scheduler[] = [];
  afterEach(async () => {
    await Promise.all(schedulers.splice(0).map((s) => s.stop({ timeoutMs: 2_000 })));
    await target?.close();
    await testDb?.cleanup();
  });

  it('dispatches each priority-0 task within one claim batch of its creation', async () => {
    const count = driver === 'postgresql' ? 3 : 1; // SQLite runs one scheduler per database
    target = await startTargetServer({}, async (_req, res) => {
      await new Promise((resolve) => setTimeout(resolve, 30));
      res.writeHead(200).end();
    });
    testDb = await createTestDatabase(driver);
    const db = await testDb.openMigrated();
    const tasks = createTaskRepository(db);
    const config = parseConfig({
      database: { url: testDb.url },
      scheduler: { pollInterval: '100ms', batchSize: BATCH },
      queues: { q: { target: target.url, allowPrivateNetwork: true, timeout: '5s', maxConcurrent: 2 * count } },
    });
    await tasks.insertTasks(
      Array.from({ length: FLOOD }, (_, i) => newTask('q', { path: `/flood/${i}`, priority: 9 })),
    );
    for (let i = 0; i < count; i++)
      schedulers.push(
        await createScheduler({ config, db: await testDb.open(), id: `prio-${i}`, logger: silentLogger }),
      );
    await Promise.all(schedulers.map((s) => s.start()));

    const urgent: { id: string; committedAt: number; path: string }[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const seen = target.received.length;
      await waitFor(async () => target!.received.length >= seen + 12, 20_000, 'the flood to go on');
      const path = `/urgent/${round}`;
      const [{ task }] = await tasks.insertTasks([newTask('q', { path, priority: 0 })]);
      urgent.push({ id: task.id, committedAt: Date.now(), path });
      await waitFor(async () => target!.for(path).length > 0, 20_000, `${path} to arrive`);
    }
    await Promise.all(schedulers.splice(0).map((s) => s.stop({ timeoutMs: 5_000 })));

    const claimed = (await tasks.listTasks({ queue: 'q', limit: 1_000 })).tasks.filter(
      (task) => task.attemptedAt !== null,
    );
    const floodClaims = claimed.filter((task) => task.priority === 9).map((task) => task.attemptedAt!.getTime());
    expect(floodClaims.length).toBeLessThan(FLOOD); // the urgent tasks came while the flood was on
    // Claims that may have been under way at the commit: one per claim loop (a loop per batch of
    // each scheduler's share of maxConcurrent, here one per scheduler), each a batch.
    const inFlightBound = count * BATCH;
    for (const { id, committedAt, path } of urgent) {
      const claimedAt = (await tasks.findTask(id))!.attemptedAt!.getTime();
      const overtaking = floodClaims.filter((at) => at >= committedAt && at < claimedAt).length;
      expect(overtaking, `priority-9 tasks claimed after ${path} was committed and before it`).toBeLessThanOrEqual(
        inFlightBound,
      );
      // On the wire: flood requests that arrived after its commit and before it.
      const arrival = target.received.findIndex((r) => r.path === path);
      const before = target.received
        .slice(0, arrival)
        .filter((r) => r.path.startsWith('/flood/') && r.at >= committedAt).length;
      expect(before, `flood requests arriving after ${path} was committed and before it`).toBeLessThanOrEqual(
        inFlightBound + 2 * count, // and those claimed just before, still on their way
      );
    }
  }, 60_000);
});
