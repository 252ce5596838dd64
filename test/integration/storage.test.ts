import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTaskRepository, QUEUE_STATE_COUNTS } from '../../src/db/task.repository.js';
import { claimableStates, createDispatchRepository, type Settlement } from '../../src/db/dispatch.repository.js';
import { createQueueStateRepository } from '../../src/db/queue-state.repository.js';
import { migrate, pendingMigrations, requireCurrentSchema } from '../../src/db/migrate.js';
import type { Orm } from '../../src/db/orm.js';
import type { NewTask, TaskState } from '../../src/task.js';
import type { TaskFilter } from '../../src/db/task-filter.sql.js';
import { createTestDatabase, drivers, type TestDatabase } from '../support/databases.js';
import { finishing, newTask } from '../support/storage-fixtures.js';
import { waitFor } from '../support/target-server.js';

describe.each(drivers())('storage on %s', (driver) => {
  let testDb: TestDatabase;
  let db: Orm;

  beforeAll(async () => {
    testDb = await createTestDatabase(driver);
    db = await testDb.open();
  });
  afterAll(async () => testDb.cleanup());

  it('refuses to run before migrate, migrates once, and a second run changes nothing', async () => {
    await expect(requireCurrentSchema(db)).rejects.toMatchObject({
      code: 'schema_outdated',
      message: expect.stringContaining('run dispatchr migrate'),
    });
    const dry = await migrate(db, { dryRun: true });
    expect(dry.statements[0].sql.join('\n')).toContain('create table dispatchr_task');
    const all = [...db.driver.migrationNames];
    expect((await db.driver.loadMigrations()).map((m) => m.name)).toEqual(all);
    expect(all[0]).toBe('0001-initial');
    expect(await pendingMigrations(db)).toEqual(all); // a dry run applies nothing
    expect((await migrate(db)).applied).toEqual(all);
    expect((await migrate(db)).applied).toEqual([]);
    await expect(requireCurrentSchema(db)).resolves.toBeUndefined();
  });

  it('stores the exact body bytes, headers and times, and reads them back', async () => {
    const tasks = createTaskRepository(db);
    const bytes = Buffer.from([0, 1, 2, 255, 254, 10, 13]);
    const [{ task }] = await tasks.insertTasks([newTask({ body: bytes, contentType: 'application/octet-stream' })]);
    const found = await tasks.findTask(task.id);
    expect(found?.body?.equals(bytes)).toBe(true);
    expect(found?.headers).toEqual({ 'x-a': '1' });
    expect(found?.state).toBe('available');
    expect(found?.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(found?.id[14]).toBe('7'); // UUIDv7
  });

  it('stores bytes that are not JSON under a JSON content type (the search copy is skipped, not the task)', async () => {
    const tasks = createTaskRepository(db);
    const bytes = Buffer.from([0x7b, 0xff, 0x00, 0x7d]);
    const [{ task }] = await tasks.insertTasks([newTask({ body: bytes, contentType: 'application/json' })]);
    expect((await tasks.findTask(task.id))?.body?.equals(bytes)).toBe(true);
  });

  it('creates a future task as scheduled and a past one as available now', async () => {
    const tasks = createTaskRepository(db);
    const [future, past] = await tasks.insertTasks([
      newTask({ runAt: new Date(Date.now() + 60_000) }),
      newTask({ runAt: new Date(Date.now() - 3_600_000) }),
    ]);
    expect(future.task.state).toBe('scheduled');
    expect(past.task.state).toBe('available');
    expect(past.task.runAt.getTime()).toBeGreaterThan(Date.now() - 60_000); // a past runAt means due now
  });

  it('de-duplicates 50 concurrent creates with one key into exactly one task', async () => {
    const tasks = createTaskRepository(db);
    const results = await Promise.all(
      Array.from({ length: 50 }, () => tasks.insertTasks([newTask({ key: 'only-once' })])),
    );
    const ids = new Set(results.map(([result]) => result.task.id));
    expect(ids.size).toBe(1);
    expect(results.filter(([result]) => !result.deduplicated)).toHaveLength(1);
    expect(await tasks.countTasks({ queue: 'emails', search: undefined, states: ['available'] })).toBeGreaterThan(0);
  });

  it('lists newest first with a keyset cursor and refuses a tampered cursor', async () => {
    const tasks = createTaskRepository(db);
    await tasks.insertTasks(Array.from({ length: 5 }, (_, i) => newTask({ queue: 'listing', path: `/n/${i}` })));
    const first = await tasks.listTasks({ queue: 'listing', limit: 3 });
    expect(first.tasks.map((t) => t.path)).toEqual(['/n/4', '/n/3', '/n/2']);
    const second = await tasks.listTasks({ queue: 'listing', limit: 3, cursor: first.nextCursor! });
    expect(second.tasks.map((t) => t.path)).toEqual(['/n/1', '/n/0']);
    expect(second.nextCursor).toBeNull();
    await expect(tasks.listTasks({ queue: 'listing', limit: 3, cursor: 'abc' })).rejects.toMatchObject({
      code: 'invalid_cursor',
      status: 400,
    });
  });

  it('finds exactly what a full sort of the table would, for every shape of search, page by page', async () => {
    const tasks = createTaskRepository(db);
    const dispatch = createDispatchRepository(db);
    // Three queues with tasks waiting, running, completed and failed; a queue with running tasks only.
    for (const queue of ['shape-a', 'shape-b', 'shape-c', 'shape-run']) {
      await tasks.insertTasks(Array.from({ length: 9 }, (_, i) => newTask({ queue, path: i % 2 ? '/odd' : '/even' })));
      if (queue === 'shape-c') continue; // all waiting
      const now = new Date();
      const claimed = await dispatch.claim({
        queue,
        limit: queue === 'shape-run' ? 9 : 6,
        owner: 'shapes',
        now,
        leaseMs: 60_000,
        maxConcurrent: 100,
      });
      if (queue === 'shape-run') continue; // all running
      await dispatch.settle(
        claimed.slice(0, 4).map((t, i) => finishing(t, 'shapes', i % 2 ? 'failed' : 'completed', now)),
        now,
      );
    }
    const all = await db.sql.query<{ id: string; queue: string; state: TaskState; path: string }>(
      'select id, queue, state, path from dispatchr_task',
    );
    const shapes: TaskFilter[] = [
      {},
      { queue: 'shape-a' },
      { queue: 'shape-run' },
      { state: 'running' },
      { state: 'available' },
      { states: ['running', 'failed'] },
      { queues: ['shape-a', 'shape-run'], states: ['running', 'completed'] },
      { queues: ['shape-b', 'shape-c'], pathPrefix: '/odd' },
      { states: [] },
      { queues: ['shape-a', 'shape-a', 'shape-run'] },
      { state: 'completed', since: new Date(0) },
      { pathPrefix: '/even' },
    ];
    for (const filter of shapes) {
      const queues = filter.queue !== undefined ? [filter.queue] : filter.queues;
      const states = filter.state !== undefined ? [filter.state] : filter.states;
      const expected = all
        .filter(
          (t) =>
            (!queues || queues.includes(t.queue)) &&
            (!states || states.includes(t.state)) &&
            (!filter.pathPrefix || t.path.startsWith(filter.pathPrefix)),
        )
        .map((t) => String(t.id))
        .sort()
        .reverse();
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await tasks.listTasks({ ...filter, limit: 4, cursor });
        expect(page.tasks.length).toBeLessThanOrEqual(4);
        seen.push(...page.tasks.map((t) => t.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(seen, JSON.stringify(filter)).toEqual(expected);
      expect(await tasks.countTasks(filter), JSON.stringify(filter)).toBe(expected.length);
    }
  });

  it('claims no more than maxConcurrent across claimers and never the same task twice', async () => {
    const tasks = createTaskRepository(db);
    const dispatch = createDispatchRepository(db);
    await tasks.insertTasks(Array.from({ length: 40 }, () => newTask({ queue: 'claims' })));
    const now = new Date();
    const claims = await Promise.all(
      ['a', 'b', 'c', 'd'].map((owner) =>
        dispatch.claim({ queue: 'claims', limit: 10, owner, now, leaseMs: 60_000, maxConcurrent: 25 }),
      ),
    );
    const all = claims.flat();
    expect(all).toHaveLength(25);
    expect(new Set(all.map((t) => t.id)).size).toBe(25);
    expect(
      all.every(
        (t) => t.state === 'running' && t.attempt === 1 && t.leaseExpiresAt!.getTime() === now.getTime() + 60_000,
      ),
    ).toBe(true);
  });

  it('answers a claim with exactly the rows it wrote', async () => {
    const tasks = createTaskRepository(db);
    const dispatch = createDispatchRepository(db);
    // Times with odd milliseconds: the claim sends them as epoch numbers, and no millisecond may slip.
    const runAt = new Date(Math.floor(Date.now() / 1000) * 1000 + 60_999);
    await tasks.insertTasks([
      newTask({
        queue: 'claimed-rows',
        runAt,
        headers: { 'x-a': '1' },
        body: Buffer.from('{"a":1}'),
        contentType: 'application/json',
        maxAttempts: 4,
        timeoutMs: 1_500,
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      }),
    ]);
    const now = new Date(runAt.getTime() + 8);
    const [claimed] = await dispatch.claim({
      queue: 'claimed-rows',
      limit: 1,
      owner: 'owner-x',
      now,
      leaseMs: 30_001,
      maxConcurrent: 10,
    });
    expect(claimed).toEqual(await tasks.findTask(claimed.id));
    expect(claimed).toMatchObject({
      state: 'running',
      leaseOwner: 'owner-x',
      attempt: 1,
      runAt,
      attemptedAt: now,
      firstAttemptAt: now,
      finalizedAt: null,
    });
    expect(claimed.leaseExpiresAt!.getTime()).toBe(now.getTime() + 30_001);
  });

  it('settles with a compare-and-set: a stale owner or attempt changes nothing', async () => {
    const tasks = createTaskRepository(db);
    const dispatch = createDispatchRepository(db);
    await tasks.insertTasks([newTask({ queue: 'settle' })]);
    const now = new Date();
    const [claimed] = await dispatch.claim({
      queue: 'settle',
      limit: 1,
      owner: 'me',
      now,
      leaseMs: 60_000,
      maxConcurrent: 10,
    });
    const settlement = (owner: string, attempt: number): Settlement => ({
      taskId: claimed.id,
      attempt,
      owner,
      state: 'completed',
      nextAttempt: attempt,
      runAt: null,
      lastStatus: 200,
      lastError: null,
      record: {
        startedAt: now,
        finishedAt: new Date(),
        status: 200,
        outcome: 'completed',
        durationMs: 3,
        error: null,
        responseExcerpt: 'ok',
      },
    });
    expect((await dispatch.settle([settlement('someone-else', 1), settlement('me', 2)], new Date())).size).toBe(0);
    // A batch where one wins and one loses answers the winner alone.
    const [other] = await tasks.insertTasks([newTask({ queue: 'settle' })]);
    const [otherClaimed] = await dispatch.claim({
      queue: 'settle',
      limit: 1,
      owner: 'them',
      now: new Date(),
      leaseMs: 60_000,
      maxConcurrent: 10,
    });
    expect(otherClaimed.id).toBe(other.task.id);
    expect(
      await dispatch.settle([settlement('me', 1), { ...settlement('me', 1), taskId: otherClaimed.id }], new Date()),
    ).toEqual(new Set([claimed.id]));
    expect((await tasks.findTask(otherClaimed.id))?.state).toBe('running');
    expect(await dispatch.settle([settlement('me', 1)], new Date())).toEqual(new Set()); // a second write loses
    const task = await tasks.findTask(claimed.id);
    expect(task).toMatchObject({ state: 'completed', lastStatus: 200, leaseOwner: null });
    expect(task?.finalizedAt).not.toBeNull();
    const attempts = await tasks.findAttempts(claimed.id);
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ number: 1, status: 200, outcome: 'completed', responseExcerpt: 'ok' });
  });

  it('settles a batch whose texts hold what an array literal must escape, and reads them back unchanged', async () => {
    const tasks = createTaskRepository(db);
    const dispatch = createDispatchRepository(db);
    await tasks.insertTasks([
      newTask({ queue: 'literal', maxAttempts: 3 }),
      newTask({ queue: 'literal', maxAttempts: 3 }),
    ]);
    // PostgreSQL's settle sends each column as one array literal (pg-array.ts): every one of these
    // would come back changed, NULL or refused if an element were written unquoted or unescaped.
    const texts = [
      '',
      'NULL',
      'null',
      ' lead and trail ',
      'a,b',
      '{x}',
      'say "hi"',
      'back\\slash',
      '\\"',
      'line\nbreak\ttab',
      'é ✓ 𝄞',
    ];
    const owner = 'owner "q" \\ {a,b}';
    const now = new Date();
    const [retried, failed] = await dispatch.claim({
      queue: 'literal',
      limit: 2,
      owner,
      now,
      leaseMs: 60_000,
      maxConcurrent: 10,
    });
    const at = new Date(Date.UTC(2026, 0, 1, 0, 0, 0, 123));
    const settle = (task: typeof retried, state: 'retryable' | 'failed', text: string): Settlement => ({
      taskId: task.id,
      attempt: task.attempt,
      owner,
      state,
      nextAttempt: task.attempt,
      runAt: state === 'retryable' ? new Date(at.getTime() + 60_000) : null,
      lastStatus: null,
      lastError: `last ${text}`,
      // The retryable one's error is NULL: one column with NULL and text that needs escaping.
      record: {
        startedAt: at,
        finishedAt: new Date(at.getTime() + 5),
        status: null,
        outcome: state === 'failed' ? 'failed' : 'retry',
        durationMs: null,
        error: state === 'failed' ? `error ${text}` : null,
        responseExcerpt: text,
      },
    });
    for (const text of texts) {
      // The retryable one's attempt becomes an attempt row; the failed one's stays on the task row.
      const won = await dispatch.settle([settle(retried, 'retryable', text), settle(failed, 'failed', text)], now);
      expect(won, text).toEqual(new Set([retried.id, failed.id]));
      for (const [task, state] of [
        [retried, 'retryable'],
        [failed, 'failed'],
      ] as const) {
        expect(await tasks.findTask(task.id), text).toMatchObject({
          state,
          lastError: `last ${text}`,
          lastStatus: null,
        });
        expect((await tasks.findAttempts(task.id)).at(-1), text).toMatchObject({
          error: state === 'failed' ? `error ${text}` : null,
          responseExcerpt: text,
          status: null,
          durationMs: null,
          startedAt: at,
        });
      }
      expect((await tasks.findTask(retried.id))!.runAt).toEqual(new Date(at.getTime() + 60_000));
      // Back to running for the next text: the retryable task through a claim, the failed one by hand.
      await tasks.applyEvent(failed.id, { type: 'retry' });
      await db.sql.execute(`update dispatchr_task set run_at = ${db.driver.placeholder(1)} where queue = 'literal'`, [
        new Date(0),
      ]);
      const again = await dispatch.claim({
        queue: 'literal',
        limit: 2,
        owner,
        now: new Date(),
        leaseMs: 60_000,
        maxConcurrent: 10,
      });
      expect(again.map((t) => t.id).sort()).toEqual([retried.id, failed.id].sort());
      for (const t of again) (t.id === retried.id ? retried : failed).attempt = t.attempt;
    }
  });

  it('keeps the finishing attempt on the task row, and a retry moves it into the attempt rows', async () => {
    const tasks = createTaskRepository(db);
    const dispatch = createDispatchRepository(db);
    const [{ task }] = await tasks.insertTasks([newTask({ queue: 'history', maxAttempts: 2 })]);
    const t0 = Date.UTC(2026, 0, 1, 0, 0, 0, 1);
    // One settle of the claimed task: `state` with `status`; the attempt's times are t0-based.
    const attemptOnce = async (state: 'retryable' | 'failed' | 'completed', status: number, second: number) => {
      const [claimed] = await dispatch.claim({
        queue: 'history',
        limit: 1,
        owner: 'me',
        now: new Date(),
        leaseMs: 60_000,
        maxConcurrent: 10,
      });
      expect(claimed.id).toBe(task.id);
      const startedAt = new Date(t0 + second * 1000);
      const won = await dispatch.settle(
        [
          {
            taskId: task.id,
            attempt: claimed.attempt,
            owner: 'me',
            state,
            nextAttempt: claimed.attempt,
            runAt: state === 'retryable' ? new Date(Date.now() - 1) : null,
            lastStatus: status,
            lastError: status === 200 ? null : `HTTP ${status}`,
            record: {
              startedAt,
              finishedAt: new Date(startedAt.getTime() + 7),
              status,
              outcome: state === 'completed' ? 'completed' : state === 'failed' ? 'failed' : 'retry',
              durationMs: 7,
              error: null,
              responseExcerpt: `#${second}`,
            },
          },
        ],
        new Date(),
      );
      expect(won).toEqual(new Set([task.id]));
    };
    const rowsOf = async () =>
      Number(
        (
          await db.sql.query<{ n: number | string }>(
            `select count(*) as n from dispatchr_attempt where task_id = ${db.driver.placeholder(1)}`,
            [task.id],
          )
        )[0].n,
      );
    const history = async () =>
      (await tasks.findAttempts(task.id)).map((a) => [
        a.number,
        a.status,
        a.outcome,
        a.responseExcerpt,
        a.startedAt.getTime() - t0,
      ]);

    await attemptOnce('retryable', 503, 1);
    await attemptOnce('failed', 500, 2);
    expect(await rowsOf()).toBe(1); // the retried attempt is a row; the one that failed the task is on the task
    expect(await history()).toEqual([
      [1, 503, 'retry', '#1', 1000],
      [2, 500, 'failed', '#2', 2000],
    ]);

    await tasks.applyEvent(task.id, { type: 'retry' }); // reopening moves the final attempt into the rows
    expect(await rowsOf()).toBe(2);
    expect(await history()).toEqual([
      [1, 503, 'retry', '#1', 1000],
      [2, 500, 'failed', '#2', 2000],
    ]);
    await attemptOnce('failed', 502, 3);
    expect(await tasks.retryMatching({ queue: 'history' })).toBe(1); // so does the bulk retry
    await attemptOnce('completed', 200, 4);
    expect(await rowsOf()).toBe(3);
    expect(await history()).toEqual([
      [1, 503, 'retry', '#1', 1000],
      [2, 500, 'failed', '#2', 2000],
      [1, 502, 'failed', '#3', 3000],
      [1, 200, 'completed', '#4', 4000],
    ]);
    expect(await tasks.findTask(task.id)).toMatchObject({ state: 'completed', attempt: 1, lastStatus: 200 });
  });

  it('reads the next due time per queue: the earliest waiting task, from the due-order index', async () => {
    const tasks = createTaskRepository(db);
    const dispatch = createDispatchRepository(db);
    const base = Date.now() + 3_600_000;
    await tasks.insertTasks([
      newTask({ queue: 'next-a', runAt: new Date(base + 2_000) }),
      newTask({ queue: 'next-a', runAt: new Date(base + 1_000) }),
      newTask({ queue: 'next-b', runAt: new Date(base + 5_000) }),
      newTask({ queue: 'next-c', runAt: new Date(Date.now() - 1_000) }),
    ]);
    // A running task is not waiting, however early its run_at.
    expect(
      await dispatch.claim({
        queue: 'next-c',
        limit: 1,
        owner: 'x',
        now: new Date(),
        leaseMs: 60_000,
        maxConcurrent: 10,
      }),
    ).toHaveLength(1);
    const next = await Promise.all(
      ['next-a', 'next-b', 'next-c', 'next-none'].map(
        async (queue) => (await dispatch.nextDueAt(queue))?.getTime() ?? null,
      ),
    );
    expect(next).toEqual([base + 1_000, base + 5_000, null, null]);
    if (driver !== 'postgresql') return;
    // One index entry per priority level of the queue, not every waiting row of it (min() under
    // GROUP BY read them all): the least of ten first entries, each an index range probe.
    let statement = { text: '', values: [] as unknown[] };
    const capturing = {
      ...db,
      sql: {
        ...db.sql,
        query: async (text: string, values?: readonly unknown[]) => (
          (statement = { text, values: [...(values ?? [])] }),
          []
        ),
      },
    } as unknown as Orm;
    await createDispatchRepository(capturing).nextDueAt('next-a');
    const plan = await db.sql.transaction(async (tx) => {
      await tx.execute('set local enable_seqscan = off');
      return (await tx.query<{ 'QUERY PLAN': string }>(`explain ${statement.text}`, statement.values))
        .map((row) => row['QUERY PLAN'])
        .join('\n');
    });
    expect(plan).toMatch(
      /Limit[\s\S]*Index (Only )?Scan using dispatchr_task_due_order_idx[^\n]*\n\s*Index Cond: \(\(queue = [^)]*\) AND \(priority = /,
    );
    expect(plan).not.toMatch(/Sort|Seq Scan/);
  });

  it('does not claim tasks that are not yet due, and pause flags round-trip', async () => {
    const tasks = createTaskRepository(db);
    const dispatch = createDispatchRepository(db);
    await tasks.insertTasks([newTask({ queue: 'later', runAt: new Date(Date.now() + 60_000) })]);
    expect(
      await dispatch.claim({
        queue: 'later',
        limit: 10,
        owner: 'x',
        now: new Date(),
        leaseMs: 1000,
        maxConcurrent: 10,
      }),
    ).toHaveLength(0);
    expect((await dispatch.nextDueAt('later'))!.getTime()).toBeGreaterThan(Date.now());
    const states = createQueueStateRepository(db);
    await states.setPaused('later', true);
    expect(await states.pausedQueues()).toEqual(new Set(['later']));
    await states.setPaused('later', false);
    expect(await states.pausedQueues()).toEqual(new Set());
  });

  it('applies cancel, retry and run through the machine and refuses illegal ones with the state', async () => {
    const tasks = createTaskRepository(db);
    const [{ task }] = await tasks.insertTasks([newTask({ queue: 'manual', runAt: new Date(Date.now() + 60_000) })]);
    expect((await tasks.applyEvent(task.id, { type: 'run' })).state).toBe('available');
    await expect(tasks.applyEvent(task.id, { type: 'retry' })).rejects.toMatchObject({
      status: 409,
      message: expect.stringContaining('available'),
    });
    const cancelled = await tasks.applyEvent(task.id, { type: 'cancel' });
    expect(cancelled.state).toBe('cancelled');
    expect(cancelled.finalizedAt).not.toBeNull();
    const retried = await tasks.applyEvent(task.id, { type: 'retry' });
    expect(retried).toMatchObject({ state: 'available', attempt: 0, finalizedAt: null });
    await expect(tasks.deleteTask(task.id)).rejects.toMatchObject({ status: 409 });
    await tasks.applyEvent(task.id, { type: 'cancel' });
    await tasks.deleteTask(task.id);
    expect(await tasks.findTask(task.id)).toBeNull();
  });

  it('searches bodies and headers in the database', async () => {
    const tasks = createTaskRepository(db);
    await tasks.insertTasks([
      newTask({ queue: 'search', body: Buffer.from(JSON.stringify({ customer: 'zebra-42' })) }),
      newTask({ queue: 'search', headers: { 'x-tenant': 'ostrich' } }),
      newTask({ queue: 'search' }),
    ]);
    expect((await tasks.listTasks({ queue: 'search', limit: 10, search: 'zebra-42' })).tasks).toHaveLength(1);
    expect((await tasks.listTasks({ queue: 'search', limit: 10, search: 'ostrich' })).tasks).toHaveLength(1);
    expect((await tasks.listTasks({ queue: 'search', limit: 10, search: '100%' })).tasks).toHaveLength(0);
  });

  it("counts each queue's tasks per state, the running ones too", async () => {
    const tasks = createTaskRepository(db);
    const dispatch = createDispatchRepository(db);
    await tasks.insertTasks(Array.from({ length: 6 }, () => newTask({ queue: 'count-a' })));
    await tasks.insertTasks(
      Array.from({ length: 2 }, () => newTask({ queue: 'count-b', runAt: new Date(Date.now() + 60_000) })),
    );
    const claimed = await dispatch.claim({
      queue: 'count-a',
      limit: 4,
      owner: 'counter',
      now: new Date(),
      leaseMs: 60_000,
      maxConcurrent: 10,
    });
    const at = new Date();
    await dispatch.settle(
      [finishing(claimed[0], 'counter', 'failed', at), finishing(claimed[1], 'counter', 'completed', at)],
      at,
    );
    const summaries = await tasks.queueSummaries(['count-a', 'count-b']);
    expect(summaries.get('count-a')!.counts).toEqual({
      scheduled: 0,
      available: 2,
      running: 2,
      retryable: 0,
      completed: 1,
      failed: 1,
      cancelled: 0,
    });
    expect(summaries.get('count-b')!.counts).toEqual({
      scheduled: 2,
      available: 0,
      running: 0,
      retryable: 0,
      completed: 0,
      failed: 0,
      cancelled: 0,
    });
  });
});
