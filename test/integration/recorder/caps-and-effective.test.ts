import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueWithin, type TaskInput } from '../../../src/client/index.js';
import { parseConfig, type ResolvedConfig } from '../../../src/config/load.js';
import type { Orm } from '../../../src/db/orm.js';
import { createTaskRepository, type TaskRepository } from '../../../src/db/task.repository.js';
import { silentLogger } from '../../../src/logger.js';
import { startRecorderServer, type RecorderServer } from '../../../src/recorder/server.js';
import { createScheduler, type Scheduler } from '../../../src/scheduler/scheduler.js';
import { createTestDatabase, drivers, type DriverName } from '../../support/databases.js';
import { newTask } from '../../support/new-task.js';
import { startTargetServer, waitFor, type TargetServer } from '../../support/target-server.js';
import { openAppDatabase } from '../client/pg-support.js';
import { call } from './support.js';

/**
 * A queue's caps on a task's own maxAttempts and timeout (`taskLimits`), through every door:
 *  - the recorder refuses a value above the cap (400 naming the field and the cap, nothing created);
 *  - a task written without the config (enqueueWithin on PostgreSQL, the repository's insert on
 *    SQLite) keeps what it asked for, and a real scheduler runs it within the caps: a target that
 *    always fails sees exactly 3 attempts of a task that asked for 1,000, and a target that never
 *    answers is given up on after the capped 300 ms, not the task's 9 s;
 *  - the task resource's `effective` shows the values in force.
 */
interface Setup {
  db: Orm;
  url: string;
  /** Writes a task the way a config-blind writer does; answers its id. */
  insertBlind(task: TaskInput): Promise<string>;
  close(): Promise<void>;
}

async function openSetup(driver: DriverName): Promise<Setup> {
  if (driver === 'postgresql') {
    const app = await openAppDatabase();
    return {
      db: app.db,
      url: app.testDb.url,
      async insertBlind(task) {
        const client = await app.pgClient();
        await client.query('begin');
        const { id } = await enqueueWithin(client, 'capped', task);
        await client.query('commit');
        return id;
      },
      close: () => app.close(),
    };
  }
  const testDb = await createTestDatabase(driver);
  const db = await testDb.openMigrated();
  const repository = createTaskRepository(db);
  return {
    db,
    url: testDb.url,
    async insertBlind(task) {
      const [{ task: created }] = await repository.insertTasks([
        newTask('capped', {
          path: task.path ?? '/',
          maxAttempts: task.maxAttempts ?? null,
          timeoutMs: task.timeout === '9s' ? 9_000 : null,
        }),
      ]);
      return created.id;
    },
    close: () => testDb.cleanup(),
  };
}

describe.each(drivers())('per-task limits within the queue caps on %s', (driver) => {
  let setup: Setup;
  let target: TargetServer;
  let config: ResolvedConfig;
  let recorder: RecorderServer;
  let scheduler: Scheduler;
  let tasks: TaskRepository;
  const post = (queue: string, body: unknown) => call(recorder.url, 'POST', `/v1/queues/${queue}/tasks`, { body });

  beforeAll(async () => {
    target = await startTargetServer({
      '/hooks/fail': (_req, res) => res.writeHead(500).end('always'),
      '/hooks/hang': () => undefined, // never answers; closed with the server
    });
    setup = await openSetup(driver);
    config = parseConfig({
      database: { url: setup.url },
      recorder: { host: '127.0.0.1', port: 0 },
      scheduler: { leaseDuration: '40s', pollInterval: '100ms', heartbeatInterval: '1s', shutdownTimeout: '1s' },
      queues: {
        capped: {
          target: `${target.url}/hooks`,
          allowPrivateNetwork: true,
          timeout: '200ms',
          retry: { strategy: 'fixed', options: { delay: '50ms' }, maxAttempts: 3 },
          taskLimits: { maxAttempts: 3, timeout: '300ms' },
        },
        defaults: { target: `${target.url}/other`, allowPrivateNetwork: true },
      },
    });
    tasks = createTaskRepository(setup.db);
    recorder = await startRecorderServer(config, { db: setup.db });
  });

  afterAll(async () => {
    await scheduler?.stop({ timeoutMs: 500 });
    await recorder?.close();
    await target?.close();
    await setup?.close();
  });

  it('the recorder refuses values above the caps, naming the field and the cap, and creates nothing', async () => {
    const before = await tasks.countTasks({});
    const cases: [unknown, string, string][] = [
      [{ maxAttempts: 4 }, 'maxAttempts', 'expected an integer <= 3'],
      [{ timeout: '301ms' }, 'timeout', 'at most 300ms'],
      [{ timeout: 1 }, 'timeout', 'at most 300ms'],
    ];
    for (const [body, path, message] of cases) {
      const reply = await post('capped', body);
      expect(reply.status, JSON.stringify(body)).toBe(400);
      expect(reply.body.errors).toEqual([{ path, message: expect.stringContaining(message) }]);
    }
    const batch = await call(recorder.url, 'POST', '/v1/queues/capped/tasks/batch', {
      body: { tasks: [{ maxAttempts: 3 }, { maxAttempts: 1000 }] },
    });
    expect(batch.status).toBe(400);
    expect(batch.body.errors).toEqual([
      { path: 'tasks.1.maxAttempts', message: expect.stringContaining('taskLimits.maxAttempts') },
    ]);
    // The default cap of a queue without taskLimits: 100 attempts.
    expect((await post('defaults', { maxAttempts: 101 })).body.errors).toEqual([
      { path: 'maxAttempts', message: expect.stringContaining('<= 100') },
    ]);
    expect(await tasks.countTasks({})).toBe(before);
  });

  it('a created task keeps what was sent (null for nothing) and shows the values in force as `effective`', async () => {
    const plain = await post('capped', { path: '/later', delay: '1h' });
    expect(plain.status).toBe(201);
    expect(plain.body).toMatchObject({
      maxAttempts: null,
      timeoutMs: null,
      effective: { maxAttempts: 3, timeoutMs: 200 },
    });
    const own = await post('capped', { path: '/later', delay: '1h', maxAttempts: 2, timeout: '250ms' });
    expect(own.body).toMatchObject({ maxAttempts: 2, timeoutMs: 250, effective: { maxAttempts: 2, timeoutMs: 250 } });
    const queueDefaults = await post('defaults', { delay: '1h', maxAttempts: 100 });
    expect(queueDefaults.body).toMatchObject({ maxAttempts: 100, effective: { maxAttempts: 100, timeoutMs: 30_000 } });
    // Every rendering carries it: a read, and a list (basic view).
    expect((await call(recorder.url, 'GET', `/v1/tasks/${own.body.id}`)).body.effective).toEqual({
      maxAttempts: 2,
      timeoutMs: 250,
    });
    const listed = await call(recorder.url, 'GET', '/v1/queues/capped/tasks?limit=1');
    expect(listed.body.tasks[0].effective).toEqual({ maxAttempts: 2, timeoutMs: 250 });
  });

  it('a config-blind task asking for 1,000 attempts and a 9 s timeout runs within the caps', async () => {
    const failing = await setup.insertBlind({ path: '/fail', maxAttempts: 1000 });
    const hanging = await setup.insertBlind({ path: '/hang', maxAttempts: 1000, timeout: '9s' });
    // Stored as asked; `effective` says what the scheduler will do.
    const shown = (await call(recorder.url, 'GET', `/v1/tasks/${hanging}`)).body;
    expect(shown).toMatchObject({ maxAttempts: 1000, timeoutMs: 9_000, effective: { maxAttempts: 3, timeoutMs: 300 } });

    scheduler = await createScheduler({ config, db: setup.db, logger: silentLogger, queues: ['capped'] });
    await scheduler.start();
    const finished = async (id: string) =>
      waitFor(
        async () => {
          const task = await tasks.findTask(id);
          return task?.state === 'failed' ? task : undefined;
        },
        30_000,
        `task ${id} to fail`,
      );

    expect(await finished(failing)).toMatchObject({ state: 'failed', attempt: 3 });
    expect(target.for('/hooks/fail')).toHaveLength(3);

    expect(await finished(hanging)).toMatchObject({ state: 'failed', attempt: 3 });
    const attempts = await tasks.findAttempts(hanging);
    expect(attempts).toHaveLength(3);
    for (const attempt of attempts) expect(attempt.error).toContain('300ms'); // the cap, not the task's 9 s
  });
});
