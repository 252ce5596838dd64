import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDispatchRepository, type DispatchRepository } from '../../../src/db/dispatch.repository.js';
import type { Orm } from '../../../src/db/orm.js';
import { createTaskRepository, type TaskRepository } from '../../../src/db/task.repository.js';
import { createTestDatabase, drivers, type TestDatabase } from '../../support/databases.js';
import { newTask } from '../../support/new-task.js';

/**
 * The claim takes a queue's due tasks in (priority, run_at, id) order (spec 11.1), across batch
 * boundaries: a flood of earlier-due priority-9 tasks three batches deep does not keep a later
 * priority-0 task out of the first batch, tasks not yet due are never taken whatever their
 * priority, and ties go by run_at, then id. The scheduler's next-due probe sees every level.
 */
const BATCH = 5;
const idOf = (n: number) => `00000000-0000-7000-8000-${String(n).padStart(12, '0')}`;

describe.each(drivers())('claim order by priority on %s', (driver) => {
  let testDb: TestDatabase;
  let db: Orm;
  let tasks: TaskRepository;
  let dispatch: DispatchRepository;

  beforeAll(async () => {
    testDb = await createTestDatabase(driver);
    db = await testDb.openMigrated();
    tasks = createTaskRepository(db);
    dispatch = createDispatchRepository(db);
  });
  afterAll(async () => testDb?.cleanup());

  const claim = (queue: string, now: Date, limit = BATCH) =>
    dispatch.claim({ queue, limit, owner: 'order-test', now, leaseMs: 60_000, maxConcurrent: 1_000 });

  // A past runAt is stored as the creation time, so the tasks are created for the future and
  // claimed as of a later `now`: their run_at values are then exactly the ones given.
  const base = Date.now() + 3_600_000;
  const later = new Date(base + 3_600_000);

  it('takes every due priority-0 task in the first batch, past three batches of earlier priority-9 tasks', async () => {
    const now = later;
    const ago = (s: number) => new Date(now.getTime() - s * 1_000);
    // 3 × BATCH priority-9 tasks due a minute ago (ids 100…), inserted first.
    const flood = Array.from({ length: 3 * BATCH }, (_, i) =>
      newTask('order', { id: idOf(100 + i), priority: 9, runAt: ago(60 - i) }),
    );
    // Then the urgent ones, due later than the whole flood: two share a run_at (ties by id), one
    // is due earlier than those two; the ids are given out of run_at order on purpose.
    const urgent = [
      newTask('order', { id: idOf(902), priority: 0, runAt: ago(5) }),
      newTask('order', { id: idOf(901), priority: 0, runAt: ago(5) }),
      newTask('order', { id: idOf(903), priority: 0, runAt: ago(10) }),
    ];
    const notDue = [
      newTask('order', { id: idOf(1), priority: 0, runAt: new Date(now.getTime() + 1_000) }),
      newTask('order', { id: idOf(2), priority: 9, runAt: new Date(now.getTime() + 1_000) }),
    ];
    // A middle level between them, due earliest of all.
    const middle = [newTask('order', { id: idOf(500), priority: 4, runAt: ago(120) })];
    await tasks.insertTasks(flood);
    await tasks.insertTasks([...urgent, ...notDue, ...middle]);

    // The expected claim order: (priority, run_at, id); the first batch holds every priority-0 task.
    const expected = [idOf(903), idOf(901), idOf(902), idOf(500), ...flood.map((task) => task.id!)];
    const batches: string[][] = [];
    for (let batch = await claim('order', now); batch.length > 0; batch = await claim('order', now))
      batches.push(batch.map((task) => task.id));
    expect(batches.length).toBe(Math.ceil(expected.length / BATCH));
    expect(batches[0]).toEqual(expect.arrayContaining(urgent.map((task) => task.id!)));
    for (let i = 0; i < batches.length; i++)
      expect(batches[i].sort()).toEqual(expected.slice(i * BATCH, (i + 1) * BATCH).sort());
    // Not yet due: left waiting, whatever its priority.
    expect((await tasks.findTask(idOf(1)))?.state).toBe('scheduled');
    expect((await tasks.findTask(idOf(2)))?.state).toBe('scheduled');
  });

  it('steps over levels with nothing due: empty ones, and ones whose tasks are all in the future', async () => {
    const now = later;
    await tasks.insertTasks([
      newTask('gaps', { id: idOf(4001), priority: 3, runAt: new Date(now.getTime() + 1_000) }),
      newTask('gaps', { id: idOf(4002), priority: 6, runAt: new Date(now.getTime() - 1_000) }),
      newTask('gaps', { id: idOf(4003), priority: 8, runAt: new Date(now.getTime() - 5_000) }),
    ]);
    expect((await claim('gaps', now, 1)).map((task) => task.id)).toEqual([idOf(4002)]);
    expect((await claim('gaps', now, 5)).map((task) => task.id)).toEqual([idOf(4003)]);
    expect(await claim('gaps', now, 5)).toEqual([]);
  });

  it('ties by run_at, then id, within a level, batch after batch', async () => {
    const now = later;
    const first = new Date(now.getTime() - 30_000);
    const second = new Date(now.getTime() - 10_000);
    // 12 priority-3 tasks: ids shuffled, the even ones due 20 s before the odd ones.
    const order = [7, 3, 11, 0, 9, 5, 1, 10, 2, 8, 4, 6];
    await tasks.insertTasks(
      order.map((n) => newTask('ties', { id: idOf(2000 + n), priority: 3, runAt: n % 2 === 0 ? first : second })),
    );
    const claimed: string[][] = [];
    for (let batch = await claim('ties', now); batch.length > 0; batch = await claim('ties', now))
      claimed.push(batch.map((task) => task.id).sort());
    const expected = [0, 2, 4, 6, 8, 10, 1, 3, 5, 7, 9, 11].map((n) => idOf(2000 + n));
    expect(claimed).toEqual([expected.slice(0, 5), expected.slice(5, 10), expected.slice(10)].map((b) => b.sort()));
  });

  it('counts the due tasks ahead of a waiting task in claim order ("why is it waiting")', async () => {
    // Due earlier but at a higher number: not ahead. Due later but at a lower number: ahead.
    await tasks.insertTasks([
      newTask('ahead', { id: idOf(3001), priority: 9 }),
      newTask('ahead', { id: idOf(3002), priority: 5 }),
      newTask('ahead', { id: idOf(3003), priority: 5 }),
      newTask('ahead', { id: idOf(3004), priority: 1 }),
    ]);
    const load = async (n: number) => (await tasks.queueLoad((await tasks.findTask(idOf(n)))!)).dueAhead;
    expect(await Promise.all([3001, 3002, 3003, 3004].map(load))).toEqual([3, 1, 2, 0]);
  });

  it('answers the earliest waiting run_at of any level as the next due time', async () => {
    const now = Date.now();
    expect(await dispatch.nextDueAt('next')).toBeNull();
    await tasks.insertTasks([
      newTask('next', { priority: 0, runAt: new Date(now + 90_000) }),
      newTask('next', { priority: 9, runAt: new Date(now + 30_000) }),
      newTask('next', { priority: 5, runAt: new Date(now + 60_000) }),
    ]);
    expect((await dispatch.nextDueAt('next'))?.getTime()).toBe(now + 30_000);
  });
});
