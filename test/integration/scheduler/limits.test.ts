import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { createTaskRepository } from '../../../src/db/task.repository.js';
import { silentLogger } from '../../../src/logger.js';
import { createScheduler, type Scheduler } from '../../../src/scheduler/scheduler.js';
import type { NewTask } from '../../../src/task.js';
import { createTestDatabase, drivers, type TestDatabase } from '../../support/databases.js';
import { newTask } from '../../support/new-task.js';
import { startTargetServer, waitFor, type TargetServer } from '../../support/target-server.js';

const numbered = (queue: string, i: number): NewTask => newTask(queue, { path: `/${i}` });

describe.each(drivers())('queue limits on %s', (driver) => {
  let testDb: TestDatabase | undefined;
  let target: TargetServer | undefined;
  let scheduler: Scheduler | undefined;
  afterEach(async () => {
    await scheduler?.stop({ timeoutMs: 1_000 });
    await target?.close();
    await testDb?.cleanup();
  });

  async function run(queue: Record<string, unknown>, count: number, replyMs: number, batchSize = 50) {
    target = await startTargetServer({}, async (_req, res) => {
      await new Promise((resolve) => setTimeout(resolve, replyMs));
      res.writeHead(200).end();
    });
    testDb = await createTestDatabase(driver);
    const db = await testDb.openMigrated();
    const config = parseConfig({
      database: { url: testDb.url },
      scheduler: { pollInterval: '100ms', batchSize },
      queues: { q: { target: target.url, allowPrivateNetwork: true, timeout: '5s', ...queue } },
    });
    const tasks = createTaskRepository(db);
    await tasks.insertTasks(Array.from({ length: count }, (_, i) => numbered('q', i)));
    const started = Date.now();
    scheduler = await createScheduler({ config, db, logger: silentLogger });
    await scheduler.start();
    await waitFor(
      async () => (await tasks.countTasks({ queue: 'q', state: 'completed' })) === count,
      30_000,
      'every task completed',
    );
    return { elapsedMs: Date.now() - started, received: target.received.length, maxConcurrent: target.maxConcurrent };
  }

  it('never lets the target see more concurrent requests than maxConcurrent', async () => {
    const result = await run({ maxConcurrent: 3 }, 30, 60);
    expect(result.received).toBe(30);
    expect(result.maxConcurrent).toBeLessThanOrEqual(3);
    expect(result.maxConcurrent).toBeGreaterThanOrEqual(2); // it did run requests side by side
  });

  it('fills maxConcurrent with overlapping batches: 5 with batches of 2 is slots of 2 + 2 + 1', async () => {
    const result = await run({ maxConcurrent: 5 }, 20, 300, 2);
    expect(result.received).toBe(20);
    // One claim loop per Bottleneck slot: two full batches and a last slot of one run side by side.
    // Fewer means the slots do not add up to maxConcurrent; more means they overran it.
    expect(result.maxConcurrent).toBe(5);
  });

  it('keeps dispatching beside a slow request: maxConcurrent 4 under one batch size is two slots of 2', async () => {
    let slowDone = false;
    target = await startTargetServer({}, async (req, res) => {
      if (req.path === '/slow') {
        await new Promise((resolve) => setTimeout(resolve, 4_000));
        slowDone = true;
      }
      res.writeHead(200).end();
    });
    testDb = await createTestDatabase(driver);
    const db = await testDb.openMigrated();
    const config = parseConfig({
      database: { url: testDb.url },
      scheduler: { pollInterval: '100ms', batchSize: 50 },
      queues: { q: { target: target.url, allowPrivateNetwork: true, timeout: '10s', maxConcurrent: 4 } },
    });
    const tasks = createTaskRepository(db);
    await tasks.insertTasks([newTask('q', { path: '/slow' })]);
    await tasks.insertTasks(Array.from({ length: 20 }, (_, i) => numbered('q', i + 1)));
    scheduler = await createScheduler({ config, db, logger: silentLogger });
    await scheduler.start();
    // With one slot of 4 the batch holding /slow would block the queue for its 4 s; the second slot
    // goes on claiming and sending the other 20 meanwhile.
    await waitFor(
      async () => target!.received.filter((r) => r.path !== '/slow').length === 20,
      3_500,
      'the 20 quick tasks sent',
    );
    expect(target.for('/slow')).toHaveLength(1); // it was sent, and is still in flight:
    expect(slowDone).toBe(false);
    // Outcomes are written per batch: the one quick task that shared the slow one's batch waits
    // for it (docs/deployment.md, "Batches"); the other 19 are recorded already.
    await waitFor(
      async () => (await tasks.countTasks({ queue: 'q', state: 'completed' })) >= 19,
      2_000,
      '19 quick tasks recorded',
    );
    expect(slowDone).toBe(false);
  });

  it('holds the rate limit: 20 tasks at 10/s with a burst of 5 take about 1.5 s or more', async () => {
    const result = await run({ rateLimit: { perSecond: 10, burst: 5 } }, 20, 1);
    expect(result.received).toBe(20);
    expect(result.elapsedMs).toBeGreaterThanOrEqual(1_400); // (20 - 5 burst) / 10 per second
  });
});
