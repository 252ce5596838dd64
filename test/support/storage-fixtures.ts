import type { Settlement } from '../../src/db/dispatch.repository.js';
import { createDispatchRepository } from '../../src/db/dispatch.repository.js';
import type { Orm } from '../../src/db/orm.js';
import { createTaskRepository } from '../../src/db/task.repository.js';
import type { NewTask } from '../../src/task.js';
import { newTask as emptyTask } from './new-task.js';

/** Fixtures of the storage suites: the contract (storage.test.ts) and each driver's own. */
export function newTask(overrides: Partial<NewTask> = {}): NewTask {
  return emptyTask('emails', {
    path: '/send',
    headers: { 'x-a': '1' },
    body: Buffer.from(JSON.stringify({ to: 'a@example.com' })),
    contentType: 'application/json',
    runAt: new Date(Date.now() - 1000),
    ...overrides,
  });
}

/** The settlement that finishes a claimed task on its first attempt: completed (200) or failed (400). */
export function finishing(
  task: { id: string; attempt: number },
  owner: string,
  state: 'completed' | 'failed',
  at: Date,
): Settlement {
  const status = state === 'completed' ? 200 : 400;
  return {
    taskId: task.id,
    attempt: task.attempt,
    owner,
    state,
    nextAttempt: task.attempt,
    runAt: null,
    lastStatus: status,
    lastError: null,
    record: { startedAt: at, finishedAt: at, status, outcome: state, durationMs: 1, error: null, responseExcerpt: '' },
  };
}

/**
 * 200 waiting tasks in queue 'explain', and 1,000 in each of five other queues so the planner's
 * choice reflects a real table rather than a tiny one; 10 of them running and 10 failed, since
 * running rows are outside the listing indexes (migrations 0006 and 0007). Then ANALYZE.
 */
export async function seedPlannerTable(db: Orm): Promise<void> {
  const tasks = createTaskRepository(db);
  await tasks.insertTasks(Array.from({ length: 200 }, () => newTask({ queue: 'explain' })));
  for (let i = 0; i < 5; i++)
    await tasks.insertTasks(Array.from({ length: 1000 }, () => newTask({ queue: `other-${i}` })));
  const dispatch = createDispatchRepository(db);
  const claimed = await dispatch.claim({
    queue: 'other-0',
    limit: 20,
    owner: 'explain',
    now: new Date(),
    leaseMs: 60_000,
    maxConcurrent: 100,
  });
  const failedAt = new Date();
  await dispatch.settle(
    claimed.slice(0, 10).map((t) => finishing(t, 'explain', 'failed', failedAt)),
    failedAt,
  );
  await db.sql.execute('analyze dispatchr_task');
}
