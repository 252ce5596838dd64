import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, type ResolvedConfig } from '../../../src/config/load.js';
import type { Orm } from '../../../src/db/orm.js';
import { createTaskRepository, type TaskRepository } from '../../../src/db/task.repository.js';
import { silentLogger } from '../../../src/logger.js';
import { startRecorderServer, type RecorderServer } from '../../../src/recorder/server.js';
import { createScheduler, type Scheduler } from '../../../src/scheduler/scheduler.js';
import type { TaskRecord } from '../../../src/task.js';
import { createTestDatabase, drivers, type TestDatabase } from '../../support/databases.js';
import { startTargetServer, waitFor, type TargetServer } from '../../support/target-server.js';

/**
 * Stored results and callbacks end to end (docs/spec.md 11.4, 11.5): a real target answers, the
 * scheduler settles, and the API shows the result and the callback task it enqueued.
 */
const BIG = Buffer.alloc(3000, 'x'); // more than the default 1 KB, more than `big`'s 2 KB
const JSON_ANSWER = JSON.stringify({ invoice: 42, note: 'é'.repeat(700) }); // 1,415 bytes of UTF-8

describe.each(drivers())('stored results and callbacks on %s', (driver) => {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let testDb: TestDatabase;
  let db: Orm;
  let target: TargetServer;
  let scheduler: Scheduler;
  let tasks: TaskRepository;
  let config: ResolvedConfig;
  let recorder: RecorderServer;

  beforeAll(async () => {
    target = await startTargetServer({
      '/hooks/json': (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON_ANSWER),
      '/hooks/big': (_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end(BIG),
      '/hooks/bad': (_req, res) => res.writeHead(400, { 'content-type': 'text/plain' }).end('no such invoice'),
      '/hooks/down': (_req, res) => res.writeHead(500).end('down'),
      // Answers 200 only once the test lets it: after the task was cancelled while running.
      '/hooks/held': async (_req, res) => {
        await held;
        res.writeHead(200, { 'content-type': 'text/plain' }).end('done after all');
      },
      '/done/ok': (_req, res) => res.writeHead(200).end('thanks'),
      '/done/failed': (_req, res) => res.writeHead(200).end('noted'),
    });
    testDb = await createTestDatabase(driver);
    db = await testDb.openMigrated();
    const retry = { strategy: 'fixed', options: { delay: '50ms' }, maxAttempts: 2 };
    config = parseConfig({
      database: { url: testDb.url },
      recorder: { host: '127.0.0.1', port: 0 },
      scheduler: { leaseDuration: '10s', pollInterval: '100ms', heartbeatInterval: '1s', shutdownTimeout: '1s' },
      queues: {
        hooks: {
          target: `${target.url}/hooks`,
          allowPrivateNetwork: true,
          timeout: '5s',
          retry,
          response: { maxBytes: 2048 },
        },
        plain: { target: `${target.url}/hooks`, allowPrivateNetwork: true, timeout: '5s', retry },
        failing: {
          target: `${target.url}/hooks`,
          allowPrivateNetwork: true,
          timeout: '5s',
          retry,
          callbacks: { onFailure: { queue: 'done', path: '/failed' } },
        },
        done: { target: `${target.url}/done`, allowPrivateNetwork: true, timeout: '5s', retry },
      },
    });
    tasks = createTaskRepository(db);
    scheduler = await createScheduler({
      config,
      db,
      logger: silentLogger,
      queues: ['hooks', 'plain', 'failing', 'done'],
    });
    await scheduler.start();
    recorder = await startRecorderServer(config, { db });
  });

  afterAll(async () => {
    release();
    await recorder?.close();
    await scheduler?.stop({ timeoutMs: 1000 });
    await target?.close();
    await testDb?.cleanup();
  });

  async function create(queue: string, body: Record<string, unknown>): Promise<{ status: number; json: any }> {
    const response = await fetch(`${recorder.url}/v1/queues/${queue}/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, json: await response.json() };
  }

  async function finished(id: string, states = ['completed', 'failed']): Promise<TaskRecord> {
    return waitFor(
      async () => {
        const task = await tasks.findTask(id);
        return task && states.includes(task.state) ? task : undefined;
      },
      20_000,
      `task ${id} to finish`,
    );
  }

  async function callbacksOf(id: string): Promise<TaskRecord[]> {
    const rows = await db.sql.query(`select id from dispatchr_task where callback_of = ${db.driver.placeholder(1)}`, [
      id,
    ]);
    return Promise.all(rows.map(async (row) => (await tasks.findTask(String(row.id)))!));
  }

  async function getTask(id: string, view = 'full'): Promise<any> {
    const response = await fetch(`${recorder.url}/v1/tasks/${id}?view=${view}`);
    expect(response.status).toBe(200);
    return response.json();
  }

  it('keeps the response body up to response.maxBytes, with its content type, shown in the full view', async () => {
    const json = await create('hooks', { path: '/json' });
    expect(json.status).toBe(201);
    await finished(json.json.id);
    const shown = await getTask(json.json.id);
    expect(shown.result).toEqual({
      contentType: 'application/json',
      bodyBase64: Buffer.from(JSON_ANSWER).toString('base64'),
    });

    const big = await create('hooks', { path: '/big' });
    await finished(big.json.id);
    const cut = await getTask(big.json.id);
    expect(cut.result.contentType).toBe('text/plain');
    expect(Buffer.from(cut.result.bodyBase64, 'base64')).toEqual(BIG.subarray(0, 2048));
    // The basic view leaves it out, as it leaves out the body.
    expect((await getTask(big.json.id, 'basic')).result).toBeUndefined();
    // The excerpt is still the first 1 KB.
    expect(cut.attempts[0].responseExcerpt).toBe('x'.repeat(1024));
  });

  it('keeps the 1 KB excerpt by default (its content type unknown), and no callback task', async () => {
    const created = await create('plain', { path: '/big' });
    await finished(created.json.id);
    const shown = await getTask(created.json.id);
    expect(shown.result).toEqual({ contentType: null, bodyBase64: BIG.subarray(0, 1024).toString('base64') });
    expect(await callbacksOf(created.json.id)).toEqual([]);
  });

  it('enqueues exactly one onComplete callback task with the outcome and the result', async () => {
    const created = await create('hooks', { path: '/json', onComplete: { queue: 'done', path: 'ok' } });
    expect(created.json.onComplete).toEqual({ queue: 'done', path: '/ok' });
    const task = await finished(created.json.id);
    const [callback, ...more] = await callbacksOf(task.id);
    expect(more).toEqual([]);
    expect(callback).toMatchObject({ queue: 'done', path: '/ok', contentType: 'application/json', key: null });
    expect(JSON.parse(callback.body!.toString('utf8'))).toEqual({
      taskId: task.id,
      queue: 'hooks',
      state: 'completed',
      attempts: 1,
      lastStatus: 200,
      result: { contentType: 'application/json', bodyBase64: Buffer.from(JSON_ANSWER).toString('base64') },
    });
    // The callback task is delivered like any task, and reports on nothing further.
    const delivered = await finished(callback.id);
    expect(delivered.state).toBe('completed');
    expect(await callbacksOf(callback.id)).toEqual([]);
    expect((await getTask(callback.id)).callbackOf).toBe(task.id);
  });

  it('fires onFailure on a non-retryable answer, and on attempts used up', async () => {
    const bad = await create('plain', { path: '/bad', onFailure: { queue: 'done', path: '/failed' } });
    const down = await create('failing', { path: '/down' });
    const [badTask, downTask] = await Promise.all([finished(bad.json.id), finished(down.json.id)]);
    expect(badTask.state).toBe('failed');
    expect(downTask.state).toBe('failed');
    const [badCallback] = await callbacksOf(badTask.id);
    expect(JSON.parse(badCallback.body!.toString('utf8'))).toMatchObject({
      state: 'failed',
      attempts: 1,
      lastStatus: 400,
      result: { contentType: 'text/plain', bodyBase64: Buffer.from('no such invoice').toString('base64') },
    });
    // The queue's callbacks.onFailure, after both attempts.
    const downCallbacks = await callbacksOf(downTask.id);
    expect(downCallbacks).toHaveLength(1);
    expect(downCallbacks[0].path).toBe('/failed');
    expect(JSON.parse(downCallbacks[0].body!.toString('utf8'))).toMatchObject({
      state: 'failed',
      attempts: 2,
      lastStatus: 500,
    });
  });

  it("gives a failing callback task no callback, not even its queue's", async () => {
    // The callback goes to `failing`, whose queue callbacks.onFailure would fire for any other task.
    const created = await create('plain', { path: '/json', onComplete: { queue: 'failing', path: '/down' } });
    await finished(created.json.id);
    const [callback] = await callbacksOf(created.json.id);
    expect((await finished(callback.id)).state).toBe('failed');
    expect(await callbacksOf(callback.id)).toEqual([]);
  });

  it('fires no callback when a task is cancelled', async () => {
    const created = await create('plain', {
      path: '/json',
      delay: '1h',
      onFailure: { queue: 'done', path: '/failed' },
    });
    const response = await fetch(`${recorder.url}/v1/tasks/${created.json.id}/cancel`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(response.status).toBe(200);
    expect((await tasks.findTask(created.json.id))!.state).toBe('cancelled');
    expect(await callbacksOf(created.json.id)).toEqual([]);
  });

  it('fires no callback when a running task is cancelled, even if its target answers 200 afterwards', async () => {
    const created = await create('plain', { path: '/held', onComplete: { queue: 'done', path: '/ok' } });
    await finished(created.json.id, ['running']);
    const response = await fetch(`${recorder.url}/v1/tasks/${created.json.id}/cancel`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(response.status).toBe(200);
    release(); // the target now answers 200 (if the request was not cut): the settle must lose
    await waitFor(
      async () => (await tasks.findTask(created.json.id))?.leaseOwner === null || undefined,
      15_000,
      'the holder to let the cancelled task go',
    );
    expect((await tasks.findTask(created.json.id))!.state).toBe('cancelled');
    expect(await callbacksOf(created.json.id)).toEqual([]);
  });

  it('refuses a callback to an unknown queue or outside its target, naming the field', async () => {
    const unknown = await create('hooks', { onComplete: { queue: 'nowhere', path: '/x' } });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.json)).toContain('onComplete.queue');
    const outside = await create('hooks', { onFailure: { queue: 'done', path: '/../admin' } });
    expect(outside.status).toBe(400);
    expect(JSON.stringify(outside.json)).toContain('onFailure.path');
  });
});
