import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import type { Orm } from '../../../src/db/orm.js';
import { createTaskRepository } from '../../../src/db/task.repository.js';
import { silentLogger } from '../../../src/logger.js';
import { createScheduler, type Scheduler } from '../../../src/scheduler/scheduler.js';
import { createTestDatabase, drivers, type TestDatabase } from '../../support/databases.js';
import { newTask } from '../../support/new-task.js';
import { startTargetServer, waitFor, type TargetServer } from '../../support/target-server.js';

/**
 * A callback task is due the moment its task finishes: the scheduler that wrote it wakes its
 * queue's producer at once, on SQLite too, where no NOTIFY exists. With a 30 s poll interval an
 * arrival within 10 s can only come from that wake-up.
 */
describe.each(drivers())('callback tasks are dispatched at once, on %s', (driver) => {
  let testDb: TestDatabase;
  let db: Orm;
  let target: TargetServer;
  let scheduler: Scheduler;

  beforeAll(async () => {
    target = await startTargetServer({
      '/job/go': (_req, res) => res.writeHead(200).end('ok'),
      '/done/ok': (_req, res) => res.writeHead(204).end(),
    });
    testDb = await createTestDatabase(driver);
    db = await testDb.openMigrated();
    const config = parseConfig({
      database: { url: testDb.url },
      scheduler: { leaseDuration: '10s', pollInterval: '30s', heartbeatInterval: '1s', shutdownTimeout: '1s' },
      queues: {
        work: { target: `${target.url}/job`, allowPrivateNetwork: true, timeout: '5s' },
        done: { target: `${target.url}/done`, allowPrivateNetwork: true, timeout: '5s' },
      },
    });
    scheduler = await createScheduler({ config, db, logger: silentLogger });
    await scheduler.start();
  });

  afterAll(async () => {
    await scheduler?.stop({ timeoutMs: 1000 });
    await target?.close();
    await testDb?.cleanup();
  });

  it('delivers the onComplete callback within seconds of the task completing', async () => {
    const tasks = createTaskRepository(db);
    const [{ task }] = await tasks.insertTasks([
      newTask('work', { path: '/go', onComplete: { queue: 'done', path: '/ok' } }),
    ]);
    const callback = await waitFor(async () => target.for('/done/ok')[0], 10_000, 'the callback to arrive');
    expect(JSON.parse(callback.body.toString('utf8'))).toMatchObject({ taskId: task.id, state: 'completed' });
  }, 20_000);
});
