import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, type ResolvedConfig } from '../../../src/config/load.js';
import { createDispatchRepository } from '../../../src/db/dispatch.repository.js';
import type { Orm } from '../../../src/db/orm.js';
import { createQueueStateRepository } from '../../../src/db/queue-state.repository.js';
import { createTaskRepository } from '../../../src/db/task.repository.js';
import { silentLogger } from '../../../src/logger.js';
import { startRecorderServer, type RecorderServer } from '../../../src/recorder/server.js';
import { createScheduler, type Scheduler } from '../../../src/scheduler/scheduler.js';
import { createTestDatabase, drivers, type DriverName, type TestDatabase } from '../../support/databases.js';
import { newTask } from '../../support/new-task.js';
import { startTargetServer, waitFor, type TargetServer } from '../../support/target-server.js';
import { call } from '../recorder/support.js';

/**
 * Pause is exact (spec §4.10): once `POST /v1/queues/{q}/pause` has answered, no claim takes a task
 * of the queue, whatever the scheduler last read of the pause flags. The claim itself reads the
 * flag (under the queue's claim lock on PostgreSQL, in its write transaction on SQLite).
 */
const POLL_MS = 400;
const MODES = drivers().flatMap(
  (driver) =>
    [
      // `schedule --with-recorder`: one process, one pool of connections.
      [driver, 'one process'],
      // A recorder and a scheduler apart: connections of their own.
      [driver, 'separate processes'],
    ] as [DriverName, string][],
);

describe.each(MODES)('pause on %s, recorder and scheduler in %s', (driver, mode) => {
  let testDb: TestDatabase;
  let target: TargetServer;
  let recorder: RecorderServer;
  let scheduler: Scheduler;
  let schedulerDb: Orm;
  let config: ResolvedConfig;

  beforeAll(async () => {
    target = await startTargetServer();
    testDb = await createTestDatabase(driver);
    schedulerDb = await testDb.openMigrated();
    config = parseConfig({
      database: { url: testDb.url },
      recorder: { host: '127.0.0.1', port: 0 },
      scheduler: { leaseDuration: '10s', pollInterval: `${POLL_MS}ms`, heartbeatInterval: '5s', shutdownTimeout: '1s' },
      queues: { q: { target: target.url, allowPrivateNetwork: true, timeout: '2s' } },
    });
    const recorderDb = mode === 'one process' ? schedulerDb : await testDb.open();
    recorder = await startRecorderServer(config, { db: recorderDb, logger: silentLogger });
    scheduler = await createScheduler({ config, db: schedulerDb, logger: silentLogger });
    await scheduler.start();
  });

  afterAll(async () => {
    await scheduler?.stop({ timeoutMs: 1000 });
    await recorder?.close();
    await target?.close();
    await testDb?.cleanup();
  });

  const post = (path: string, body?: unknown) => call(recorder.url, 'POST', path, body === undefined ? {} : { body });
  const createTask = async (path: string) => {
    const reply = await post('/v1/queues/q/tasks', { path });
    expect(reply.status).toBe(201);
    return reply.body.id as string;
  };

  it('dispatches nothing created after the pause answered, for several poll intervals; resume sends it all', async () => {
    // The path works before the pause: what the target does not receive later was refused, not lost.
    await createTask('/before');
    await waitFor(async () => target.for('/before').length === 1, 10_000, 'the task created before the pause');

    const paused = await post('/v1/queues/q/pause');
    expect(paused.status).toBe(200);
    expect(paused.body.paused).toBe(true);
    // At once: the scheduler has not read the pause flags since (it reads them once per poll
    // interval), and the create wakes it in this process (due-signal) or by NOTIFY.
    const ids = [await createTask('/after'), await createTask('/after'), await createTask('/after')];
    await new Promise((resolve) => setTimeout(resolve, 3 * POLL_MS));
    expect(target.for('/after')).toHaveLength(0);
    const tasks = createTaskRepository(schedulerDb);
    for (const id of ids) expect((await tasks.findTask(id))?.state).toBe('available'); // not even claimed

    const resumed = await post('/v1/queues/q/resume');
    expect(resumed.status).toBe(200);
    expect(resumed.body.paused).toBe(false);
    await waitFor(async () => target.for('/after').length === 3, 10_000, 'the tasks held by the pause, after resume');
    expect(new Set(target.for('/after').map((r) => r.headers['webhook-id']))).toEqual(new Set(ids));
  });
});

describe.each(drivers())('the claim of a paused queue on %s', (driver) => {
  let testDb: TestDatabase;
  let db: Orm;

  beforeAll(async () => {
    testDb = await createTestDatabase(driver);
    db = await testDb.openMigrated();
  });
  afterAll(async () => testDb.cleanup());
  afterEach(async () => createQueueStateRepository(db).setPaused('p', false));

  const claim = (queue: string, owner = 'o') =>
    createDispatchRepository(db).claim({
      queue,
      limit: 10,
      owner,
      now: new Date(),
      leaseMs: 60_000,
      maxConcurrent: 100,
    });

  it('takes nothing while the queue is paused, though tasks are due, and takes them after resume', async () => {
    await createTaskRepository(db).insertTasks([
      newTask('p', { runAt: new Date(0) }),
      newTask('p', { runAt: new Date(0) }),
      newTask('other', { runAt: new Date(0) }),
    ]);
    const states = createQueueStateRepository(db);
    await states.setPaused('p', true);
    expect(await claim('p')).toHaveLength(0);
    expect(await claim('other')).toHaveLength(1); // only that queue
    await states.setPaused('p', false);
    expect(await claim('p')).toHaveLength(2);
  });

  it.runIf(driver === 'postgresql')(
    "orders pause and claim by the queue's claim lock: a claim waiting on a pause sees it, a pause waits for a claim in flight",
    async () => {
      await createTaskRepository(db).insertTasks([newTask('p', { runAt: new Date(0) })]);
      // Seen by PostgreSQL, not guessed from a sleep: a session blocked by this transaction's backend.
      const backendOf = async (tx: { query<T>(sql: string): Promise<T[]> }) =>
        (await tx.query<{ pid: number }>('select pg_backend_pid() as pid'))[0].pid;
      const blockedBy = (pid: number) => async () =>
        (await db.sql.query(`select 1 from pg_stat_activity where $1 = any(pg_blocking_pids(pid))`, [pid])).length >
          0 || undefined;
      // A pause's transaction, held open after it took the lock and wrote the flag: the claim waits,
      // then reads the flag the pause committed.
      let waiting: Promise<unknown[]> | undefined;
      await db.sql.transaction(async (tx) => {
        await tx.query(`select pg_advisory_xact_lock(hashtext('dispatchr.claim.' || $1))`, ['p']);
        await tx.execute(
          `insert into dispatchr_queue_state (name, paused, updated_at) values ($1, true, now()) on conflict (name) do update set paused = true`,
          ['p'],
        );
        waiting = claim('p');
        await waitFor(blockedBy(await backendOf(tx)), 5_000, 'the claim to wait on the queue lock');
      });
      expect(await waiting!).toHaveLength(0);
      await createQueueStateRepository(db).setPaused('p', false);
      // A claim in flight (its transaction not yet committed): the pause waits for it, so a pause
      // that has answered never has a claim of the queue still to commit.
      let pause: Promise<void> | undefined;
      let pauseDone = false;
      await db.sql.transaction(async (tx) => {
        const held = await tx.query(
          `select id from dispatchr_claim($1, 'a', now() + interval '1 minute', now(), 5, 100)`,
          ['p'],
        );
        expect(held).toHaveLength(1);
        pause = createQueueStateRepository(db)
          .setPaused('p', true)
          .then(() => void (pauseDone = true));
        await waitFor(blockedBy(await backendOf(tx)), 5_000, 'the pause to wait on the queue lock');
        expect(pauseDone).toBe(false);
      });
      await pause;
      expect(await createQueueStateRepository(db).pausedQueues()).toEqual(new Set(['p']));
    },
  );
});
