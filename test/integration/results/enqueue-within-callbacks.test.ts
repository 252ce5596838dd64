import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueWithin, type CallbackBody, type TaskInput } from '../../../src/client/index.js';
import { parseConfig } from '../../../src/config/load.js';
import { createTaskRepository, type TaskRepository } from '../../../src/db/task.repository.js';
import { silentLogger } from '../../../src/logger.js';
import { createScheduler, type Scheduler } from '../../../src/scheduler/scheduler.js';
import type { TaskRecord } from '../../../src/task.js';
import { postgresAvailable } from '../../support/postgres.js';
import { startTargetServer, waitFor, type TargetServer } from '../../support/target-server.js';
import { openAppDatabase, type AppDatabase } from '../client/pg-support.js';

/**
 * Callbacks set by enqueueWithin (docs/spec.md 11.5), which has no config: it checks the shape and
 * a relative path; a callback to a queue no scheduler serves is still enqueued, and waits there.
 */
describe.runIf(postgresAvailable())('enqueueWithin with callbacks', () => {
  let app: AppDatabase;
  let tasks: TaskRepository;
  let target: TargetServer;
  let scheduler: Scheduler;

  beforeAll(async () => {
    target = await startTargetServer({
      '/hooks/work': (_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('worked'),
      '/done/ok': (_req, res) => res.writeHead(204).end(),
    });
    app = await openAppDatabase();
    tasks = createTaskRepository(app.db);
    const queue = (path: string) => ({ target: `${target.url}${path}`, allowPrivateNetwork: true, timeout: '2s' });
    const config = parseConfig({
      database: { url: app.testDb.url },
      scheduler: { pollInterval: '100ms', leaseDuration: '10s', heartbeatInterval: '1s', shutdownTimeout: '1s' },
      queues: { hooks: queue('/hooks'), done: queue('/done') },
    });
    scheduler = await createScheduler({ config, db: app.db, logger: silentLogger });
    await scheduler.start();
  });
  afterAll(async () => {
    await scheduler?.stop({ timeoutMs: 1000 });
    await target?.close();
    await app?.close();
  });

  async function enqueueCommitted(task: TaskInput): Promise<string> {
    const client = await app.pgClient();
    await client.query('begin');
    const { id } = await enqueueWithin(client, 'hooks', task);
    await client.query('commit');
    return id;
  }

  async function callbackOf(id: string): Promise<TaskRecord> {
    return waitFor(
      async () => {
        const { rows } = await app.pool.query('select id from dispatchr_task where callback_of = $1', [id]);
        return rows.length === 1 ? (await tasks.findTask(rows[0].id))! : undefined;
      },
      15_000,
      `the callback of ${id}`,
    );
  }

  it('stores onComplete and enqueues the callback when the task completes', async () => {
    const id = await enqueueCommitted({ path: '/work', onComplete: { queue: 'done', path: 'ok' } });
    expect((await tasks.findTask(id))!.onComplete).toEqual({ queue: 'done', path: '/ok' });
    const callback = await callbackOf(id);
    expect(callback).toMatchObject({ queue: 'done', path: '/ok', callbackOf: id });
    const body = JSON.parse(callback.body!.toString('utf8')) as CallbackBody;
    expect(body).toEqual({
      taskId: id,
      queue: 'hooks',
      state: 'completed',
      attempts: 1,
      lastStatus: 200,
      result: { contentType: 'text/plain', bodyBase64: Buffer.from('worked').toString('base64') },
    });
    await waitFor(
      async () => (await tasks.findTask(callback.id))?.state === 'completed' || undefined,
      15_000,
      'the callback',
    );
  });

  it('enqueues a callback to a queue no scheduler serves, where it waits', async () => {
    const id = await enqueueCommitted({ path: '/work', onComplete: { queue: 'nowhere' } });
    const callback = await callbackOf(id);
    expect(callback).toMatchObject({ queue: 'nowhere', path: '', state: 'available' });
  });

  it('refuses a malformed callback before writing, naming the field', async () => {
    const client = await app.pgClient();
    await client.query('begin');
    const bad = { path: '/work', onFailure: { queue: 'done', path: 'https://elsewhere.example/x' } };
    await expect(enqueueWithin(client, 'hooks', bad)).rejects.toMatchObject({
      errors: [expect.objectContaining({ path: 'onFailure.path' })],
    });
    await client.query('rollback');
  });
});
