import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import {
  createDispatchRepository,
  type DispatchRepository,
  type Settlement,
} from '../../src/db/dispatch.repository.js';
import type { Orm } from '../../src/db/orm.js';
import { createTaskRepository, type TaskRepository } from '../../src/db/task.repository.js';
import { createCancelRunningRepository } from '../../src/db/cancel-running.repository.js';
import { CANCELLED_WHILE_RUNNING } from '../../src/db/task-cancel.sql.js';
import { claimableStates, claimTarget } from '../../src/db/transition-patch.sql.js';
import { silentLogger } from '../../src/logger.js';
import type { TaskEvent } from '../../src/machines/task.events.js';
import { TRANSITION_PATCHES } from '../../src/machines/transition-patch.js';
import { keyOf, patchOf, sourcesOf, targetOf } from '../../src/machines/transition-table.js';
import { decideOutcome, type OutcomeContext } from '../../src/scheduler/outcome.js';
import { createRescuer } from '../../src/scheduler/rescuer.js';
import { resolveRetryPolicies, type RetryPolicy } from '../../src/strategies/load-plugins.js';
import type { TaskRecord } from '../../src/task.js';
import type { DispatchResult } from '../../src/workers/protocol.js';
import { createTestDatabase, drivers, type TestDatabase } from '../support/databases.js';
import { newTask } from '../support/new-task.js';
import { expectTransition, snapshot, type GivenValues } from '../support/transition-check.js';

/**
 * The machine's table (machines/transition-patch.ts) says what every transition writes. Some
 * writers build their SQL from it; others are written by hand: the PostgreSQL claim function
 * (migrations 0009, 0010), the settle (dispatch.repository.ts, fed by decideOutcome and the rescuer).
 * Each real writer runs here on a real row, and the row must be exactly what the patch declares:
 * a patch entry or a hand-written writer that changes alone fails this test.
 */
const QUEUES = ['drift-a', 'drift-b', 'drift-c', 'drift-d', 'drift-e', 'drift-r', 'drift-x'];
const config = parseConfig({
  queues: Object.fromEntries(
    QUEUES.map((queue) => [
      queue,
      { target: 'https://example.com/t', retry: { strategy: 'fixed', options: { delay: '1s' }, maxAttempts: 2 } },
    ]),
  ),
});
const OWNER = 'drift-scheduler';
const LEASE_MS = 60_000;
// Every step happens at a time of its own, 10 s apart (retries are due 1 s after a failure).
const T0 = Math.floor(Date.now() / 1000) * 1000 - 3_600_000;

describe.each(drivers())('the machine and the writers on %s', (driver) => {
  let testDb: TestDatabase;
  let db: Orm;
  let tasks: TaskRepository;
  let dispatch: DispatchRepository;
  let policies: Map<string, RetryPolicy>;
  let clockNow = new Date(T0);
  let tick = 0;
  const covered = new Set<string>();

  const next = (): Date => (clockNow = new Date(T0 + ++tick * 10_000));

  beforeAll(async () => {
    testDb = await createTestDatabase(driver);
    db = await testDb.openMigrated();
    tasks = createTaskRepository(db, { now: () => clockNow });
    dispatch = createDispatchRepository(db);
    policies = await resolveRetryPolicies(config);
  });
  afterAll(async () => {
    await testDb?.cleanup();
  });

  async function insert(queue: string, runAt = new Date(T0)): Promise<string> {
    clockNow = new Date(T0);
    const [{ task }] = await tasks.insertTasks([newTask(queue, { runAt })]);
    return task.id;
  }

  /** Runs `write` and holds the row to the patch of `event` from the state it started in. */
  async function transition(
    id: string,
    event: TaskEvent,
    given: GivenValues,
    write: () => Promise<unknown>,
  ): Promise<void> {
    const before = await snapshot(db, id);
    const to = targetOf(before.state, event);
    expect(to, `${before.state} takes ${keyOf(event)}`).toBeDefined();
    await write();
    expectTransition(
      before,
      await snapshot(db, id),
      to!,
      patchOf(event),
      given,
      `${keyOf(event)} from ${before.state}`,
    );
    covered.add(keyOf(event));
  }

  async function claim(id: string, queue: string): Promise<TaskRecord> {
    const now = next();
    const lease = { owner: OWNER, expiresAt: new Date(now.getTime() + LEASE_MS) };
    await transition(id, { type: 'claim' }, { now, lease }, async () => {
      const claimed = await dispatch.claim({
        queue,
        limit: 1,
        owner: OWNER,
        now,
        leaseMs: LEASE_MS,
        maxConcurrent: 10,
      });
      expect(claimed.map((task) => task.id)).toEqual([id]);
    });
    return (await tasks.findTask(id))!;
  }

  function settled(s: Settlement, now: Date): GivenValues {
    return { now, runAt: s.runAt, lastStatus: s.lastStatus, lastError: s.lastError, outcome: s.record.outcome };
  }

  /** The producer's way: decideOutcome's settlement, written by the settle. */
  async function finish(task: TaskRecord, result: Partial<DispatchResult>): Promise<TaskEvent> {
    const now = next();
    const ctx: OutcomeContext = {
      queue: config.queues[task.queue],
      policy: policies.get(task.queue)!,
      owner: OWNER,
      now,
      random: () => 0.5,
    };
    const at = now.getTime() - 5;
    const dispatched: DispatchResult = {
      taskId: task.id,
      attempt: task.attempt,
      status: null,
      retryAfterMs: null,
      durationMs: 5,
      startedAtMs: at,
      finishedAtMs: at + 5,
      errorKind: null,
      error: null,
      responseExcerpt: null,
      ...result,
    };
    const { settlement, event } = decideOutcome(task, dispatched, ctx);
    await transition(task.id, event, settled(settlement, now), async () => {
      expect([...(await dispatch.settle([settlement], now))]).toEqual([task.id]);
    });
    return event;
  }

  /** The rescuer's way: a lease run out, its settlement written by the same settle. */
  async function rescue(id: string): Promise<TaskEvent> {
    const now = next();
    let given = undefined as Settlement | undefined;
    const rescuer = createRescuer({
      config,
      policies,
      repository: dispatch,
      clock: { now: () => now },
      random: () => 0.5,
      logger: silentLogger,
      deadAfterMs: LEASE_MS,
      onRescued: (_tasks, settlements) => (given = settlements.find((s) => s.taskId === id)),
    });
    const before = await snapshot(db, id);
    // The lease (60 s) has not run out by `now`: the owner has no heartbeat, so it is rescued early.
    const result = await rescuer.runOnce();
    expect(result.rescued).toBe(1);
    const event: TaskEvent = { type: 'rescue', exhausted: given!.state === 'failed' };
    expectTransition(
      before,
      await snapshot(db, id),
      targetOf(before.state, event)!,
      patchOf(event),
      settled(given!, now),
      keyOf(event),
    );
    covered.add(keyOf(event));
    return event;
  }

  async function manual(id: string, event: Extract<TaskEvent, { type: 'cancel' | 'retry' | 'run' }>): Promise<void> {
    const now = next();
    await transition(id, event, { now }, () => tasks.applyEvent(id, event));
  }

  it.runIf(driver === 'postgresql')(
    "dispatchr_claim() takes the machine's claim sources to its claim target",
    async () => {
      const [row] = await db.sql.query<{ def: string }>(`select pg_get_functiondef('dispatchr_claim'::regproc) as def`);
      const written = /d\.state in \(([^)]*)\)/
        .exec(row.def)?.[1]
        .split(',')
        .map((state) => state.trim())
        .sort();
      expect(written).toEqual(claimableStates().split(',').sort());
      expect(
        sourcesOf('claim')
          .map((state) => `'${state}'`)
          .sort(),
      ).toEqual(written);
      expect(/set state = '([a-z]+)'/.exec(row.def)?.[1]).toBe(claimTarget());
    },
  );

  it('claim, a failure with budget, a failure without, a manual retry, a success', async () => {
    const id = await insert('drift-a');
    expect(await finish(await claim(id, 'drift-a'), { status: 500 })).toEqual({
      type: 'dispatch.failed',
      exhausted: false,
    });
    expect(await finish(await claim(id, 'drift-a'), { status: 500 })).toEqual({
      type: 'dispatch.failed',
      exhausted: true,
    });
    await manual(id, { type: 'retry' });
    expect(await finish(await claim(id, 'drift-a'), { status: 200 })).toEqual({ type: 'dispatch.succeeded' });
  });

  it('an interrupted attempt is given back; a later claim keeps the first attempt time; a discard fails', async () => {
    const id = await insert('drift-b');
    expect(await finish(await claim(id, 'drift-b'), { errorKind: 'aborted', error: 'aborted' })).toEqual({
      type: 'interrupt',
    });
    expect(await finish(await claim(id, 'drift-b'), { status: 400 })).toEqual({ type: 'dispatch.discarded' });
    await manual(id, { type: 'retry' });
  });

  it('cancel a waiting task, then retry it', async () => {
    const id = await insert('drift-c');
    await manual(id, { type: 'cancel' });
    await manual(id, { type: 'retry' });
  });

  it('run a scheduled task now, and a retryable one', async () => {
    const scheduled = await insert('drift-d', new Date(T0 + 86_400_000));
    expect((await snapshot(db, scheduled)).state).toBe('scheduled');
    await manual(scheduled, { type: 'run' });
    const id = await insert('drift-e');
    await finish(await claim(id, 'drift-e'), { status: 503 });
    await manual(id, { type: 'run' });
    await finish(await claim(id, 'drift-e'), { errorKind: 'aborted', error: 'aborted' });
  });

  it('cancel a running task (the lease stays), its holder acknowledges, then retry it', async () => {
    const id = await insert('drift-x');
    await claim(id, 'drift-x');
    const cancelled = { now: next(), lastStatus: null, lastError: CANCELLED_WHILE_RUNNING, outcome: 'cancelled' };
    await transition(id, { type: 'cancel.running' }, cancelled, () => tasks.applyEvent(id, { type: 'cancel' }));
    const now = next();
    await transition(id, { type: 'cancel.acknowledged' }, { now }, async () => {
      expect(await createCancelRunningRepository(db).acknowledge([id], OWNER, now)).toBe(1);
    });
    await manual(id, { type: 'retry' });
  });

  it('the rescuer: with budget left, then with none', async () => {
    const id = await insert('drift-r');
    await claim(id, 'drift-r');
    expect(await rescue(id)).toEqual({ type: 'rescue', exhausted: false });
    await claim(id, 'drift-r');
    expect(await rescue(id)).toEqual({ type: 'rescue', exhausted: true });
  });

  it('covered every transition of the table', () => {
    expect([...covered].sort()).toEqual(Object.keys(TRANSITION_PATCHES).sort());
  });
});
