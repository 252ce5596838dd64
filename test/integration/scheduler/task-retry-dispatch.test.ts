import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DispatchrValidationError, enqueueWithin, type TaskInput } from '../../../src/client/index.js';
import { parseConfig } from '../../../src/config/load.js';
import type { Orm } from '../../../src/db/orm.js';
import { createTaskRepository, type TaskRepository } from '../../../src/db/task.repository.js';
import { silentLogger } from '../../../src/logger.js';
import { startRecorderServer, type RecorderServer } from '../../../src/recorder/server.js';
import { checkTaskRetry, taskRetryText } from '../../../src/rules/task-retry.js';
import { createScheduler, type Scheduler } from '../../../src/scheduler/scheduler.js';
import type { TaskRecord } from '../../../src/task.js';
import { createTestDatabase, drivers, type DriverName } from '../../support/databases.js';
import { newTask } from '../../support/new-task.js';
import { startTargetServer, waitFor, type TargetServer } from '../../support/target-server.js';
import { openAppDatabase } from '../client/pg-support.js';
import { call } from '../recorder/support.js';

/**
 * A task's own retry settings in force at dispatch (spec 11.3), with a real scheduler and a target
 * that always answers 500. The queues back off for an hour, so a task that reaches its last
 * attempt within the test's wait can only have run on its own, shorter backoff; a task without
 * settings beside it waits out the queue's hour. Settings a config-blind writer stored that the
 * queue's strategy refuses (enqueueWithin on PostgreSQL, the repository's insert on SQLite) fail
 * the task at dispatch, unsent, with the field named.
 */
interface Setup {
  db: Orm;
  url: string;
  /** Writes a task as a writer without the config does; answers its id. */
  insertBlind(queue: string, task: TaskInput): Promise<string>;
  close(): Promise<void>;
}

async function openSetup(driver: DriverName): Promise<Setup> {
  if (driver === 'postgresql') {
    const app = await openAppDatabase();
    return {
      db: app.db,
      url: app.testDb.url,
      async insertBlind(queue, task) {
        const client = await app.pgClient();
        await client.query('begin');
        const { id } = await enqueueWithin(client, queue, task);
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
    async insertBlind(queue, task) {
      const checked = checkTaskRetry(task.retry);
      if (!('retry' in checked)) throw new Error('a test task with a malformed retry');
      const [{ task: created }] = await repository.insertTasks([
        newTask(queue, { path: task.path ?? '/', retry: taskRetryText(checked.retry) }),
      ]);
      return created.id;
    },
    close: () => testDb.cleanup(),
  };
}

describe.each(drivers())('per-task retry settings at dispatch on %s', (driver) => {
  let setup: Setup;
  let target: TargetServer;
  let recorder: RecorderServer;
  let scheduler: Scheduler;
  let tasks: TaskRepository;
  const create = async (queue: string, body: unknown): Promise<string> => {
    const reply = await call(recorder.url, 'POST', `/v1/queues/${queue}/tasks`, { body });
    expect(reply.status, reply.text).toBe(201);
    return reply.body.id;
  };
  const settled = (id: string, states: string[], what: string): Promise<TaskRecord> =>
    waitFor(
      async () => {
        const task = await tasks.findTask(id);
        return task && states.includes(task.state) ? task : undefined;
      },
      20_000,
      what,
    );

  beforeAll(async () => {
    target = await startTargetServer({}, (_req, res) => res.writeHead(500).end('always'));
    setup = await openSetup(driver);
    const config = parseConfig({
      database: { url: setup.url },
      recorder: { host: '127.0.0.1', port: 0 },
      scheduler: { leaseDuration: '10s', pollInterval: '100ms', heartbeatInterval: '1s', shutdownTimeout: '1s' },
      queues: {
        expo: {
          target: `${target.url}/expo`,
          allowPrivateNetwork: true,
          timeout: '2s',
          retry: {
            strategy: 'exponential',
            options: { initialDelay: '1h', maxDelay: '2h', jitter: 'none' },
            maxAttempts: 3,
            maxRetryDuration: '1d',
          },
        },
        cloud: {
          target: `${target.url}/cloud`,
          allowPrivateNetwork: true,
          timeout: '2s',
          retry: { strategy: 'cloud-tasks', options: { minBackoff: '1h', maxBackoff: '2h' }, maxAttempts: 3 },
        },
      },
    });
    tasks = createTaskRepository(setup.db);
    recorder = await startRecorderServer(config, { db: setup.db, logger: silentLogger });
    scheduler = await createScheduler({ config, db: setup.db, logger: silentLogger, queues: ['expo', 'cloud'] });
    await scheduler.start();
  });

  afterAll(async () => {
    await scheduler?.stop({ timeoutMs: 500 });
    await recorder?.close();
    await target?.close();
    await setup?.close();
  });

  it("backs off by the task's own options, per strategy, while a task without them waits the queue's hour", async () => {
    const plain = await create('expo', { path: '/plain' });
    const fastExpo = await create('expo', {
      path: '/fast',
      retry: { options: { initialDelay: '50ms', factor: 1 } },
    });
    const fastCloud = await create('cloud', {
      path: '/fast',
      retry: { options: { minBackoff: '20ms', maxBackoff: '40ms' } },
    });
    for (const [id, path] of [
      [fastExpo, '/expo/fast'],
      [fastCloud, '/cloud/fast'],
    ]) {
      const done = await settled(id, ['failed'], `${path} to use its 3 attempts`);
      expect(done).toMatchObject({ attempt: 3, lastStatus: 500 });
      expect(done.lastError).toContain('3 attempts used');
      const attempts = await tasks.findAttempts(id);
      expect(attempts.map((a) => a.outcome)).toEqual(['retry', 'retry', 'failed']);
      // Each retry was due after the task's own delay, not the queue's hour.
      for (let i = 1; i < attempts.length; i++)
        expect(attempts[i].startedAt.getTime() - attempts[i - 1].finishedAt!.getTime()).toBeLessThan(3_600_000);
      expect(target.for(path)).toHaveLength(3);
    }
    const waiting = await settled(plain, ['retryable'], 'the plain task to fail once');
    const [first] = await tasks.findAttempts(plain);
    expect(waiting.runAt.getTime() - first.finishedAt!.getTime()).toBeGreaterThanOrEqual(3_590_000);
    expect(target.for('/expo/plain')).toHaveLength(1);
  });

  it("stops at the task's own maxRetryDuration, before the queue's window", async () => {
    // The next attempt would be an hour away: past 30 minutes, so the first failure is the last.
    const short = await create('expo', { path: '/short', retry: { maxRetryDuration: '30m' } });
    const done = await settled(short, ['failed'], 'the short task to stop');
    expect(done.attempt).toBe(1);
    expect(done.lastError).toContain('maxRetryDuration used');
    expect(JSON.parse(done.retry!)).toEqual({ maxRetryDurationMs: 1_800_000, options: null });
  });

  it('fails a config-blind task whose options the strategy refuses at dispatch, unsent, naming the field', async () => {
    const blind = await setup.insertBlind('expo', { path: '/blind', retry: { options: { base: 2, factor: 0 } } });
    const done = await settled(blind, ['failed'], 'the blind task to fail');
    expect(done.attempt).toBe(1);
    expect(done.lastError).toContain('retry.options.base: unknown option');
    expect(done.lastError).toContain('retry.options.factor: expected a number >= 1');
    const [attempt] = await tasks.findAttempts(blind);
    expect(attempt).toMatchObject({ outcome: 'failed', status: null });
    expect(target.for('/expo/blind')).toHaveLength(0);

    // Settings that fit run as any other: this one completes its three quick attempts.
    const fits = await setup.insertBlind('cloud', { path: '/blind-ok', retry: { options: { minBackoff: '10ms' } } });
    const ran = await settled(fits, ['failed'], 'the fitting blind task to run out');
    expect(ran).toMatchObject({ attempt: 3, lastStatus: 500 });
  });

  it.runIf(driver === 'postgresql')('enqueueWithin refuses what it can check without the config', async () => {
    const cases: [unknown, string, string][] = [
      [{ maxAttempts: 2 }, 'retry.maxAttempts', 'top-level maxAttempts'],
      [{ maxRetryDuration: '-1s' }, 'retry.maxRetryDuration', 'expected a duration'],
      [{ options: 'fast' }, 'retry.options', 'expected an object'],
      [{ options: { delay: Number.NaN } }, 'retry.options.delay', 'finite'],
    ];
    for (const [retry, path, message] of cases) {
      const error = await setup.insertBlind('expo', { retry } as TaskInput).catch((e: unknown) => e);
      expect(error, JSON.stringify(retry)).toBeInstanceOf(DispatchrValidationError);
      expect((error as DispatchrValidationError).errors).toEqual([{ path, message: expect.stringContaining(message) }]);
    }
  });
});
