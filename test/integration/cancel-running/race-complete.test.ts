import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import type { Orm } from '../../../src/db/orm.js';
import { createTaskRepository, type TaskRepository } from '../../../src/db/task.repository.js';
import { silentLogger } from '../../../src/logger.js';
import { startRecorderServer, type RecorderServer } from '../../../src/recorder/server.js';
import { createScheduler, type Scheduler } from '../../../src/scheduler/scheduler.js';
import { createTestDatabase, drivers, type TestDatabase } from '../../support/databases.js';
import { newTask } from '../../support/new-task.js';
import { startTargetServer, waitFor, type TargetServer } from '../../support/target-server.js';
import { call, type Reply } from '../recorder/support.js';

/**
 * Cancel versus complete, 500 times per database (spec 11.6): each request that reaches the target
 * sends a cancel of its own task through the API. A `/race` task is answered 200 within 9 ms, so
 * the scheduler's settle and the cancel race for the row; a `/late` task is answered only after its
 * cancel has answered, so the cancel wins. Whichever wins, the compare-and-set leaves exactly one
 * outcome: the cancel answered 200 exactly when the task ends cancelled (else 409 naming
 * `completed`), one attempt recorded with that outcome, one delivery, and the lease let go of.
 */
const RACES = 500;
const LATE = 100;

describe.each(drivers())('cancel versus complete on %s', (driver) => {
  let testDb: TestDatabase;
  let db: Orm;
  let target: TargetServer;
  let recorder: RecorderServer;
  let scheduler: Scheduler;
  let tasks: TaskRepository;
  const cancels = new Map<string, Promise<Reply>>();

  const cancel = (id: string): Promise<Reply> => {
    const reply = call(recorder.url, 'POST', `/v1/tasks/${id}/cancel`);
    cancels.set(id, reply);
    return reply;
  };

  beforeAll(async () => {
    target = await startTargetServer({
      // Answered at once or after up to 9 ms, so that either side wins some of the races.
      '/hooks/race': (req, res, n) => {
        void cancel(String(req.headers['webhook-id']));
        setTimeout(() => res.destroyed || res.writeHead(200).end('ok'), n % 10);
      },
      '/hooks/late': async (req, res) => {
        await cancel(String(req.headers['webhook-id']));
        if (!res.destroyed) res.writeHead(200).end('ok');
      },
    });
    testDb = await createTestDatabase(driver);
    db = await testDb.openMigrated();
    const config = parseConfig({
      database: { url: testDb.url },
      recorder: { host: '127.0.0.1', port: 0 },
      scheduler: { leaseDuration: '30s', pollInterval: '100ms', heartbeatInterval: '1s', shutdownTimeout: '1s' },
      queues: {
        hooks: { target: `${target.url}/hooks`, allowPrivateNetwork: true, timeout: '10s', maxConcurrent: 25 },
      },
    });
    recorder = await startRecorderServer(config, { db, logger: silentLogger });
    scheduler = await createScheduler({ config, db, logger: silentLogger });
    await scheduler.start();
    tasks = createTaskRepository(db);
  });
  afterAll(async () => {
    await scheduler?.stop({ timeoutMs: 0 });
    await recorder?.close();
    await target?.close();
    await testDb?.cleanup();
  });

  it(`decides each of ${RACES + LATE} races by one compare-and-set: completed or cancelled, never both`, async () => {
    const paths = [...Array(RACES).fill('/race'), ...Array(LATE).fill('/late')] as string[];
    const ids: string[] = [];
    for (let i = 0; i < paths.length; i += 100) {
      const created = await tasks.insertTasks(paths.slice(i, i + 100).map((path) => newTask('hooks', { path })));
      ids.push(...created.map((result) => result.task.id));
    }
    const settled = async () => {
      const rows = await Promise.all(ids.map((id) => tasks.findTask(id)));
      const done = rows.every(
        (row) => row && (row.state === 'completed' || (row.state === 'cancelled' && !row.leaseOwner)),
      );
      return done && cancels.size === ids.length ? rows : undefined;
    };
    const rows = await waitFor(settled, 60_000, 'every race to be decided and every lease let go of');

    const outcomes = { completed: 0, cancelled: 0 };
    for (const [i, row] of rows.entries()) {
      const id = ids[i];
      const state = row!.state as 'completed' | 'cancelled';
      outcomes[state] += 1;
      const reply = await cancels.get(id)!;
      if (state === 'cancelled') expect(reply.status, id).toBe(200);
      else
        expect(reply.body, id).toMatchObject({
          code: 'invalid_transition',
          errors: [{ message: 'the task is completed' }],
        });
      const attempts = await tasks.findAttempts(id);
      expect(
        attempts.map((a) => a.outcome),
        id,
      ).toEqual([state]);
      expect(row!.attempt, id).toBe(1);
    }
    // One delivery per task: a cancelled one is not sent again.
    const deliveries = target.received.map((r) => String(r.headers['webhook-id']));
    expect(new Set(deliveries).size).toBe(ids.length);
    expect(deliveries).toHaveLength(ids.length);
    // Every late task's cancel won; the immediate ones went either way.
    expect(outcomes.cancelled).toBeGreaterThanOrEqual(LATE);
    expect(outcomes.completed + outcomes.cancelled).toBe(RACES + LATE);
    console.info(`cancel versus complete on ${driver}: ${JSON.stringify(outcomes)}`);
  }, 120_000);
});
