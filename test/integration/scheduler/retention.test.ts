import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../src/clock.js';
import { parseConfig } from '../../../src/config/load.js';
import { createDispatchRepository } from '../../../src/db/dispatch.repository.js';
import { createIdempotencyRepository } from '../../../src/db/idempotency.repository.js';
import type { Orm } from '../../../src/db/orm.js';
import { createTaskRepository } from '../../../src/db/task.repository.js';
import { silentLogger } from '../../../src/logger.js';
import { createRetention } from '../../../src/scheduler/retention.js';
import type { TaskState } from '../../../src/task.js';
import { createTestDatabase, drivers, type TestDatabase } from '../../support/databases.js';
import { newTask } from '../../support/new-task.js';

const DAY = 86_400_000;

describe.each(drivers())('retention on %s', (driver) => {
  let testDb: TestDatabase;
  let db: Orm;
  const clock = fixedClock('2026-01-01T00:00:00Z');

  beforeAll(async () => {
    testDb = await createTestDatabase(driver);
    db = await testDb.openMigrated();
  });
  afterAll(async () => testDb.cleanup());

  const retention = (config: ReturnType<typeof parseConfig>) =>
    createRetention({
      config,
      repository: createDispatchRepository(db),
      idempotency: createIdempotencyRepository(db, clock),
      clock,
      logger: silentLogger,
    });

  /** A task finished `ageDays` ago in `state`, through the real claim and settle. */
  async function finished(state: TaskState, ageDays: number): Promise<string> {
    const tasks = createTaskRepository(db, clock);
    const dispatch = createDispatchRepository(db);
    const at = new Date(clock.now().getTime() - ageDays * DAY);
    const [{ task }] = await tasks.insertTasks([newTask('r', { runAt: new Date(0) })]);
    if (state === 'cancelled') {
      const p = db.driver.placeholder;
      await db.sql.execute(`update dispatchr_task set state = ${p(1)}, finalized_at = ${p(2)} where id = ${p(3)}`, [
        state,
        at,
        task.id,
      ]);
      return task.id;
    }
    const [claimed] = await dispatch.claim({
      queue: 'r',
      limit: 1,
      owner: 'o',
      now: clock.now(),
      leaseMs: 60_000,
      maxConcurrent: 1_000,
    });
    expect(claimed.id).toBe(task.id);
    const won = await dispatch.settle(
      [
        {
          taskId: task.id,
          attempt: 1,
          owner: 'o',
          state,
          nextAttempt: 1,
          runAt: null,
          lastStatus: 200,
          lastError: null,
          record: {
            startedAt: at,
            finishedAt: at,
            status: 200,
            outcome: state === 'completed' ? 'completed' : 'failed',
            durationMs: 1,
            error: null,
            responseExcerpt: null,
          },
        },
      ],
      at,
    );
    expect(won.has(task.id)).toBe(true);
    return task.id;
  }

  it('prunes completed after retention.completed and failed or cancelled after retention.failed; keeps the rest', async () => {
    const oldCompleted = await finished('completed', 8);
    const youngCompleted = await finished('completed', 6);
    const oldFailed = await finished('failed', 31);
    const youngFailed = await finished('failed', 29);
    const oldCancelled = await finished('cancelled', 31);
    const config = parseConfig({ retention: { completed: '7d', failed: '30d' } });
    const pruned = await retention(config).runOnce();
    expect(pruned).toEqual({ tasks: 3, idempotencyKeys: 0 });
    const tasks = createTaskRepository(db, clock);
    for (const id of [oldCompleted, oldFailed, oldCancelled]) expect(await tasks.findTask(id)).toBeNull();
    for (const id of [youngCompleted, youngFailed]) expect(await tasks.findTask(id)).not.toBeNull();
    expect(await tasks.findAttempts(oldCompleted)).toEqual([]); // attempts go with their task
    expect(await tasks.findAttempts(youngCompleted)).toHaveLength(1); // and only theirs
  });

  it('keeps everything forever when set to 0', async () => {
    const ancient = await finished('completed', 3650);
    const config = parseConfig({ retention: { completed: 0, failed: 0 } });
    expect(await retention(config).runOnce()).toEqual({ tasks: 0, idempotencyKeys: 0 });
    expect(await createTaskRepository(db, clock).findTask(ancient)).not.toBeNull();
  });
});
