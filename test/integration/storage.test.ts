import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTaskRepository, QUEUE_STATE_COUNTS } from '../../src/db/task.repository.js';
import { claimableStates, createDispatchRepository, type Settlement } from '../../src/db/dispatch.repository.js';
import { createQueueStateRepository } from '../../src/db/queue-state.repository.js';
import { migrate, pendingMigrations, requireCurrentSchema } from '../../src/db/migrate.js';
import { postgresMigrations, sqliteMigrations } from '../../src/db/migrations/index.js';
import type { Orm } from '../../src/db/orm.js';
import type { NewTask, TaskState } from '../../src/task.js';
import { buildCountQuery, buildListQuery } from '../../src/db/task-search.sql.js';
import { buildRetryBatch } from '../../src/db/task-retry.sql.js';
import type { TaskFilter } from '../../src/db/task-filter.sql.js';
import { createTestDatabase, drivers, type TestDatabase } from '../support/databases.js';
import { newTask as emptyTask } from '../support/new-task.js';
import { waitFor } from '../support/target-server.js';
import pg from 'pg';
import { parseDatabaseUrl } from '../../src/db/database-url.js';

function newTask(overrides: Partial<NewTask> = {}): NewTask {
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
function finishing(
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
async function seedPlannerTable(db: Orm): Promise<void> {
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
  await db.sql.execute(db.target.dialect === 'postgresql' ? 'analyze dispatchr_task' : 'analyze');
}

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
    const all = (db.target.dialect === 'postgresql' ? postgresMigrations : sqliteMigrations).map((m) => m.name);
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

  it.runIf(driver === 'postgresql')(
    "claims through dispatchr_claim(): the machine's claim sources, under the queue's advisory lock",
    async () => {
      // Migration 0009 writes the claimable states out (the due-order index needs them literal): a
      // state the machine makes claimable must reach the function through a new migration.
      const [fn] = await db.sql.query<{ src: string }>(
        `select prosrc as src from pg_proc where proname = 'dispatchr_claim'`,
      );
      const written = /d\.state in \(([^)]*)\)/
        .exec(fn.src)?.[1]
        .split(',')
        .map((s) => s.trim())
        .sort();
      expect(written).toEqual(claimableStates().split(',').sort());
      // The function takes the queue's advisory lock first, and reads the queue after it has it: a
      // claim that waited sees the claim it waited for as running, and its count keeps the cap. Here
      // the cap is 1 and another session's claim (not yet committed) holds the lock and the one slot.
      const dispatch = createDispatchRepository(db);
      await createTaskRepository(db).insertTasks([
        newTask({ queue: 'capped' }),
        newTask({ queue: 'capped' }),
        newTask({ queue: 'free' }),
      ]);
      const claimOf = (queue: string) =>
        dispatch.claim({ queue, limit: 5, owner: 'b', now: new Date(), leaseMs: 60_000, maxConcurrent: 1 });
      const within = <T>(promise: Promise<T>, ms: number, what: string) =>
        Promise.race([
          promise,
          new Promise<never>((_, reject) =>
            setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms),
          ),
        ]);
      let waited: Promise<unknown[]> | undefined;
      await db.sql.transaction(async (tx) => {
        const held = await tx.query(
          `select id from dispatchr_claim($1, 'a', now() + interval '1 minute', now(), 5, 1)`,
          ['capped'],
        );
        expect(held).toHaveLength(1);
        waited = claimOf('capped');
        // It waits on the lock (seen by PostgreSQL, not guessed from a sleep); another queue's claim does not.
        await waitFor(
          async () =>
            (
              await db.sql.query(
                `select 1 from pg_stat_activity where wait_event_type = 'Lock' and wait_event = 'advisory' and datname = current_database()`,
              )
            ).length > 0 || undefined,
          5_000,
          'the claim to wait on the queue lock',
        );
        expect(await within(claimOf('free'), 2_000, "another queue's claim")).toHaveLength(1);
      });
      expect(await within(waited!, 2_000, 'the waiting claim')).toHaveLength(0);
    },
  );

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
      await db.sql.execute(
        db.target.dialect === 'postgresql'
          ? `update dispatchr_task set run_at = $1 where queue = 'literal'`
          : `update dispatchr_task set run_at = ? where queue = 'literal'`,
        [new Date(0)],
      );
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
            db.target.dialect === 'postgresql'
              ? 'select count(*) as n from dispatchr_attempt where task_id = $1'
              : 'select count(*) as n from dispatchr_attempt where task_id = ?',
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
    // One index entry per queue, not every waiting row of it (min() under GROUP BY read them all).
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
    expect(plan).toMatch(/Limit[\s\S]*Index (Only )?Scan using dispatchr_task_due_order_idx/);
    expect(plan).not.toMatch(/Aggregate|Sort/);
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

  it.runIf(driver === 'postgresql')(
    'runs its sessions without JIT, at READ COMMITTED whatever the defaults, and checking for a gone client',
    async () => {
      const rows = await db.sql.query<{ name: string; setting: string; source: string }>(
        `select name, setting, source from pg_settings where name in ('jit', 'default_transaction_isolation', 'client_connection_check_interval') order by name`,
      );
      // Set by the connection itself ('client'), so no role or database default can change them.
      expect(rows).toEqual([
        { name: 'client_connection_check_interval', setting: '1000', source: 'client' },
        { name: 'default_transaction_isolation', setting: 'read committed', source: 'client' },
        { name: 'jit', setting: 'off', source: 'client' },
      ]);
    },
  );

  it.runIf(driver === 'postgresql')(
    'answers "due tasks of Q" and every task search with index scans, never a scan of the table',
    async () => {
      await seedPlannerTable(db);
      const plan = async (query: string, values: unknown[] = []) =>
        db.sql.transaction(async (tx) => {
          await tx.execute('set local enable_seqscan = off'); // a tiny table would otherwise be read whole
          const rows = await tx.query<{ 'QUERY PLAN': string }>(`explain ${query}`, values);
          return rows.map((row) => row['QUERY PLAN']).join('\n');
        });
      // The claim's own UPDATE, inside dispatchr_claim(), in the generic plan a long-lived session
      // may settle on (one plan for any values), read through auto_explain (nested statements).
      const target = parseDatabaseUrl(testDb.url, process.cwd());
      const client = new pg.Client({ connectionString: target.dialect === 'postgresql' ? target.url : '' });
      await client.connect();
      try {
        const notices: string[] = [];
        client.on('notice', (notice) => notices.push(notice.message ?? ''));
        if (target.dialect === 'postgresql' && target.schema)
          await client.query(`set search_path = "${target.schema}"`);
        for (const setting of [
          `load 'auto_explain'`,
          'set auto_explain.log_min_duration = 0',
          'set auto_explain.log_nested_statements = on',
          'set plan_cache_mode = force_generic_plan',
          'set enable_seqscan = off',
          'set client_min_messages = log',
        ]) {
          await client.query(setting);
        }
        await client.query(`begin`);
        await client.query(
          `select id from dispatchr_claim($1, 'explain', now() + interval '1 minute', now(), 100, 1000)`,
          ['explain'],
        );
        await client.query(`rollback`);
        const update = notices.find((notice) => /update dispatchr_task t set state = 'running'/.test(notice));
        // in claim order from the due-order index (no sort), for any queue and time ($n, not literals)
        expect(update).toMatch(
          /Index Scan using dispatchr_task_due_order_idx on dispatchr_task d[^\n]*\n\s*Index Cond: \(\(queue = \$\d+\) AND \(run_at <= \$\d+\)\)(?![\s\S]*Sort)/,
        );
      } finally {
        await client.end();
      }

      // The searches the API, the CLI and the bulk retry run: narrowed by queue or state, one scan
      // of the listing index per (queue, state) pair; narrowed by neither, the primary key.
      const shapes: TaskFilter[] = [
        { queue: 'explain', state: 'available' },
        { queue: 'explain' },
        { state: 'failed' },
        { states: ['running', 'failed'] },
        { queues: ['explain', 'other-1'], since: new Date(0) },
      ];
      for (const filter of shapes) {
        for (const query of [
          buildListQuery('postgresql', { ...filter, limit: 51, beforeId: 'ffffffff-ffff-7fff-bfff-ffffffffffff' }),
          buildCountQuery('postgresql', filter),
        ]) {
          const text = await plan(query.text, query.values);
          expect(text, JSON.stringify(filter)).not.toMatch(/Seq Scan/);
          expect(text, JSON.stringify(filter)).toMatch(/Index (Only )?Scan (using|on) dispatchr_task_listing_idx/);
        }
        const retry = buildRetryBatch('postgresql', { filter, limit: 100, now: new Date() });
        if (retry) {
          const text = await plan(retry.text, retry.values);
          expect(text, JSON.stringify(filter)).not.toMatch(/Seq Scan on dispatchr_task/);
          // The dedup check's lookup of newer retryable tasks by key (migration 0008), not a walk of the queue's failed tasks.
          expect(text, JSON.stringify(filter)).toMatch(/Index (Only )?Scan using dispatchr_task_retry_dedup_idx/);
        }
      }
      const everything = buildListQuery('postgresql', { limit: 51 });
      expect(await plan(everything.text, everything.values)).toMatch(
        /Limit[\s\S]*Index Scan Backward using dispatchr_task_pkey/,
      );
      // A page of one pair reads the index in order, ids only: the only sort is the merge of the pairs' pages.
      const onePair = buildListQuery('postgresql', { queue: 'explain', state: 'available', limit: 51 });
      expect(await plan(onePair.text, onePair.values)).toMatch(
        /Limit[\s\S]*Index Only Scan using dispatchr_task_listing_idx/,
      );
    },
  );

  /** A plan step that reads every task: the table, the primary key or the index by queue alone. */
  const WALKS_EVERY_TASK =
    /^SCAN dispatchr_task( USING (COVERING )?INDEX (sqlite_autoindex_dispatchr_task_1|dispatchr_task_queue_idx))?$|autoindex_dispatchr_task_1 \(id<\?\)/m;

  it.runIf(driver === 'sqlite')(
    'answers every task search and the queue counts through an index, running tasks through their own',
    async () => {
      await seedPlannerTable(db);
      const plan = async (query: { text: string; values: unknown[] }) =>
        (await db.sql.query<{ detail: string }>(`explain query plan ${query.text}`, query.values))
          .map((row) => row.detail)
          .join('\n');
      // The indexes by state leave running rows out (migration 0007): SQLite uses a partial index
      // only when the query repeats its WHERE term, and a search naming running reads it by name.
      const shapes: [TaskFilter, RegExp][] = [
        [{ queue: 'explain', state: 'available' }, /USING (COVERING )?INDEX dispatchr_task_queue_state_idx/],
        [{ state: 'failed' }, /USING (COVERING )?INDEX dispatchr_task_state_idx/],
        [{ state: 'running' }, /USING (COVERING )?INDEX dispatchr_task_running_idx/],
        [{ states: ['running', 'failed'] }, /dispatchr_task_state_idx[\s\S]*dispatchr_task_running_idx/],
        [
          { queue: 'explain', states: ['running', 'completed'] },
          /dispatchr_task_queue_state_idx[\s\S]*dispatchr_task_running_idx/,
        ],
        [{ queue: 'explain' }, /USING (COVERING )?INDEX dispatchr_task_queue_idx/],
      ];
      for (const [filter, index] of shapes) {
        for (const query of [
          buildListQuery('sqlite', { ...filter, limit: 51, beforeId: 'ffffffff-ffff-7fff-bfff-ffffffffffff' }),
          buildCountQuery('sqlite', filter),
        ]) {
          const text = await plan(query);
          expect(text, JSON.stringify(filter)).toMatch(index);
          expect(text, JSON.stringify(filter)).not.toMatch(WALKS_EVERY_TASK);
        }
        const retry = buildRetryBatch('sqlite', { filter, limit: 100, now: new Date() });
        if (retry) {
          const text = await plan(retry);
          expect(text, JSON.stringify(filter)).not.toMatch(/^SCAN /m); // every step a search
          expect(text, JSON.stringify(filter)).toMatch(
            /SEARCH n USING (COVERING )?INDEX dispatchr_task_retry_dedup_idx \(queue=\? AND dedup_key=\? AND id>\?\)/,
          );
        }
      }
      // The queue counts: each half a scan of an index that holds only its rows, never of the table.
      const counts = await plan({ text: QUEUE_STATE_COUNTS, values: [] });
      expect(counts).toMatch(
        /SCAN dispatchr_task USING COVERING INDEX dispatchr_task_queue_state_idx[\s\S]*SCAN dispatchr_task USING COVERING INDEX dispatchr_task_running_idx/,
      );
      expect(counts).not.toMatch(WALKS_EVERY_TASK);
    },
  );

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
