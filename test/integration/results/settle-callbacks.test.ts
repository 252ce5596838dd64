import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import {
  createDispatchRepository,
  type DispatchRepository,
  type Settlement,
} from '../../../src/db/dispatch.repository.js';
import type { Orm } from '../../../src/db/orm.js';
import { findTaskResult } from '../../../src/db/task-result.repository.js';
import { createTaskRepository, type TaskRepository } from '../../../src/db/task.repository.js';
import { silentLogger } from '../../../src/logger.js';
import { withResultAndCallback } from '../../../src/scheduler/callbacks.js';
import { decideOutcome } from '../../../src/scheduler/outcome.js';
import { createRescuer } from '../../../src/scheduler/rescuer.js';
import { resolveRetryPolicies, type RetryPolicy } from '../../../src/strategies/load-plugins.js';
import type { TaskRecord } from '../../../src/task.js';
import type { DispatchResult } from '../../../src/workers/protocol.js';
import { createTestDatabase, drivers, type TestDatabase } from '../../support/databases.js';
import { newTask } from '../../support/new-task.js';

/**
 * The callback task is written in the settle's transaction (docs/spec.md 11.5): exactly when the
 * settle's compare-and-set wins, never when it loses, and not at all when the settle rolls back.
 * The same for the rescuer, which fires onFailure when a rescue fails the task.
 */
const config = parseConfig({
  queues: {
    work: {
      target: 'https://example.com/work',
      retry: { strategy: 'fixed', options: { delay: '1s' }, maxAttempts: 1 },
      response: { maxBytes: 4096 },
    },
    done: { target: 'https://example.com/done' },
  },
});
const OWNER = 'settle-callbacks-test';
const ON_COMPLETE = { queue: 'done', path: '/ok' };

describe.each(drivers())('settle with callbacks on %s', (driver) => {
  let testDb: TestDatabase;
  let db: Orm;
  let tasks: TaskRepository;
  let dispatch: DispatchRepository;
  let policies: Map<string, RetryPolicy>;

  beforeAll(async () => {
    testDb = await createTestDatabase(driver);
    db = await testDb.openMigrated();
    tasks = createTaskRepository(db);
    dispatch = createDispatchRepository(db);
    policies = await resolveRetryPolicies(config);
  });
  afterAll(async () => {
    await testDb?.cleanup();
  });

  async function claimOne(onComplete = ON_COMPLETE, leaseMs = 60_000): Promise<TaskRecord> {
    const [{ task }] = await tasks.insertTasks([newTask('work', { onComplete, onFailure: ON_COMPLETE })]);
    const claimed = await dispatch.claim({
      queue: 'work',
      limit: 1000,
      owner: OWNER,
      now: new Date(),
      leaseMs,
      maxConcurrent: 1000,
    });
    const mine = claimed.find((t) => t.id === task.id);
    expect(mine).toBeDefined();
    return mine!;
  }

  function completed(task: TaskRecord, owner = OWNER): Settlement {
    const now = new Date();
    const result: DispatchResult = {
      taskId: task.id,
      attempt: task.attempt,
      status: 200,
      retryAfterMs: null,
      durationMs: 3,
      startedAtMs: now.getTime() - 3,
      finishedAtMs: now.getTime(),
      errorKind: null,
      error: null,
      responseExcerpt: 'ok',
      responseBody: Buffer.from('ok'),
      responseContentType: 'text/plain',
    };
    const ctx = { queue: config.queues.work, policy: policies.get('work')!, owner, now, random: () => 0.5 };
    return withResultAndCallback(decideOutcome(task, result, ctx).settlement, task, config.queues.work, result, now);
  }

  async function callbacksOf(id: string): Promise<number> {
    const rows = await db.sql.query(
      `select count(*) as n from dispatchr_task where callback_of = ${db.driver.placeholder(1)}`,
      [id],
    );
    return Number(rows[0].n);
  }

  it('writes one callback task when the compare-and-set wins, none when it loses', async () => {
    const [a, b] = [await claimOne(), await claimOne()];
    // b's settle comes from a scheduler that no longer holds the lease: it loses, a wins.
    const won = await dispatch.settle([completed(a), completed(b, 'someone-else')], new Date());
    expect([...won]).toEqual([a.id]);
    expect(await callbacksOf(a.id)).toBe(1);
    expect(await callbacksOf(b.id)).toBe(0);
    // A second settle of a's attempt (a late duplicate) loses: still one callback.
    expect((await dispatch.settle([completed(a)], new Date())).size).toBe(0);
    expect(await callbacksOf(a.id)).toBe(1);
    expect((await tasks.findTask(a.id))!.state).toBe('completed');
  });

  it('rolls the settle back with its callback: neither is written without the other', async () => {
    const task = await claimOne();
    const settlement = completed(task);
    // A callback row the database refuses (no queue) makes the whole transaction fail.
    settlement.callback = { ...settlement.callback!, queue: null as unknown as string };
    await expect(dispatch.settle([settlement], new Date())).rejects.toThrow();
    expect((await tasks.findTask(task.id))!.state).toBe('running');
    expect(await callbacksOf(task.id)).toBe(0);
    // The retried settle (as the producer retries it) then writes both.
    expect((await dispatch.settle([completed(task)], new Date())).has(task.id)).toBe(true);
    expect(await callbacksOf(task.id)).toBe(1);
  });

  it('gives a callback task no callback of its own', async () => {
    const task = await claimOne();
    // As if the claimed task were itself a callback task: it finishes with no callback row.
    const settlement = completed({ ...task, callbackOf: task.id });
    expect(settlement.callback).toBeUndefined();
    await dispatch.settle([settlement], new Date());
    expect(await callbacksOf(task.id)).toBe(0);
    expect((await tasks.findTask(task.id))!.state).toBe('completed');
  });

  it('fires onFailure when a rescue fails the task (no result)', async () => {
    const task = await claimOne(ON_COMPLETE, 1);
    const later = new Date(Date.now() + 10_000);
    const rescuer = createRescuer({
      config,
      policies,
      repository: dispatch,
      clock: { now: () => later },
      random: () => 0.5,
      logger: silentLogger,
      deadAfterMs: 60_000,
    });
    await rescuer.runOnce();
    expect((await tasks.findTask(task.id))!.state).toBe('failed');
    const rows = await db.sql.query(`select body from dispatchr_task where callback_of = ${db.driver.placeholder(1)}`, [
      task.id,
    ]);
    expect(rows).toHaveLength(1);
    expect(JSON.parse(Buffer.from(rows[0].body as Uint8Array).toString('utf8'))).toMatchObject({
      taskId: task.id,
      state: 'failed',
      attempts: 1,
      lastStatus: null,
      result: null,
    });
  });

  it('drops the stored result when the task is retried by hand', async () => {
    const task = await claimOne();
    // A 400 with a body: failed at once, its body kept as the result.
    const settlement = completed(task);
    const failed = { ...settlement, state: 'failed' as const, status: 400 };
    await dispatch.settle([withResultAndCallback(failed, task, config.queues.work, null, new Date())], new Date());
    await db.sql.execute(
      `update dispatchr_task set result_body = ${db.driver.placeholder(1)}, result_content_type = 'text/plain' where id = ${db.driver.placeholder(2)}`,
      [Buffer.from('no such user'), task.id],
    );
    expect((await tasks.findTask(task.id))!.state).toBe('failed');
    expect(await findTaskResult(db, task.id)).toMatchObject({ contentType: 'text/plain' });
    await tasks.applyEvent(task.id, { type: 'retry' });
    // Its next finish may bring no response (a rescue, a network error): the old body must not
    // then be shown as that outcome's.
    const [row] = await db.sql.query(
      `select result_body, result_content_type from dispatchr_task where id = ${db.driver.placeholder(1)}`,
      [task.id],
    );
    expect(row).toEqual({ result_body: null, result_content_type: null });
  });
});
