import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DispatchrApiError, DispatchrClient, enqueueWithin } from '../../../src/client/index.js';
import { parseConfig } from '../../../src/config/load.js';
import { createQueueStateRepository } from '../../../src/db/queue-state.repository.js';
import { drivers } from '../../support/databases.js';
import { newTask } from '../../support/new-task.js';
import { openAppDatabase } from '../client/pg-support.js';
import { startTestRecorder, TOKEN, type TestRecorder } from '../recorder/support.js';

/**
 * `priority` through the API (spec 11.1): stored and shown as sent; absent, the queue's
 * `defaultPriority`; anything but an integer from 0 to 9 is a 400 naming the field and the range,
 * with nothing created. The recorder writes every queue's default into its row as it starts, and a
 * writer that cannot see the config (the repository's insert, as cron uses it; enqueueWithin on
 * PostgreSQL) gets that stored default, or 0 for a queue with no row.
 */
const QUEUES = {
  urgent: { target: 'http://127.0.0.1:9/u', allowPrivateNetwork: true },
  bulk: { target: 'http://127.0.0.1:9/b', allowPrivateNetwork: true, defaultPriority: 7 },
};

describe.each(drivers())('task priority through the API on %s', (driver) => {
  let recorder: TestRecorder;
  const auth = { token: TOKEN };
  beforeAll(async () => {
    recorder = await startTestRecorder(driver, {
      recorder: { tokens: [{ token: TOKEN, role: 'admin' }] },
      queues: QUEUES,
    });
  });
  afterAll(async () => recorder?.close());

  const create = (queue: string, body: unknown) =>
    recorder.call('POST', `/v1/queues/${queue}/tasks`, { ...auth, body });
  const show = async (id: string) => (await recorder.call('GET', `/v1/tasks/${id}`, auth)).body;

  it('stores and shows the priority sent, else the queue default', async () => {
    const sent = await create('bulk', { priority: 2 });
    expect(sent.status).toBe(201);
    expect(sent.body.priority).toBe(2);
    expect((await show(sent.body.id)).priority).toBe(2);
    expect((await recorder.tasks.findTask(sent.body.id))?.priority).toBe(2);

    const defaulted = await create('bulk', {});
    expect(defaulted.body.priority).toBe(7);
    expect((await show(defaulted.body.id)).priority).toBe(7);
    expect((await create('urgent', {})).body.priority).toBe(0);
    expect((await create('bulk', { priority: 0 })).body.priority).toBe(0); // 0 is not "absent"

    const batch = await recorder.call('POST', '/v1/queues/bulk/tasks/batch', {
      ...auth,
      body: { tasks: [{ priority: 9 }, {}, { priority: 4 }] },
    });
    expect(batch.status).toBe(201);
    const ids: string[] = batch.body.tasks.map(
      (item: { id?: string; task?: { id: string } }) => item.id ?? item.task!.id,
    );
    const shown = await Promise.all(ids.map(show));
    expect(shown.map((task) => task.priority)).toEqual([9, 7, 4]);
    // The list shows it too.
    const list = await recorder.call('GET', '/v1/queues/bulk/tasks?limit=100', auth);
    expect(list.status).toBe(200);
    const listed = new Map(list.body.tasks.map((task: { id: string; priority: number }) => [task.id, task.priority]));
    expect(listed.get(ids[0])).toBe(9);
    // The queue list shows each queue's default.
    const queues = (await recorder.call('GET', '/v1/queues', auth)).body.queues;
    expect(
      queues.map((q: { name: string; config: { defaultPriority: number } }) => [q.name, q.config.defaultPriority]),
    ).toEqual([
      ['urgent', 0],
      ['bulk', 7],
    ]);
  });

  it.each([-1, 10, 1.5, '3', null, true, 1e9])(
    'refuses priority %j with a 400 naming the field and the range',
    async (value) => {
      const before = await recorder.count();
      const reply = await create('bulk', { priority: value });
      expect(reply.status).toBe(400);
      expect(reply.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(reply.body.errors).toEqual([
        { path: 'priority', message: `expected an integer from 0 to 9, got ${JSON.stringify(value)}` },
      ]);
      const batch = await recorder.call('POST', '/v1/queues/bulk/tasks/batch', {
        ...auth,
        body: { tasks: [{}, { priority: value }] },
      });
      expect(batch.status).toBe(400);
      expect(batch.body.errors).toEqual([
        { path: 'tasks.1.priority', message: `expected an integer from 0 to 9, got ${JSON.stringify(value)}` },
      ]);
      expect(await recorder.count()).toBe(before);
    },
  );

  it('gives a config-blind insert the default the recorder stored for the queue, else 0', async () => {
    const stored = await recorder.tasks.insertTasks([newTask('bulk'), newTask('unconfigured')]);
    const ids = stored.map((result) => result.task.id);
    expect((await recorder.tasks.findTask(ids[0]))?.priority).toBe(7);
    expect((await recorder.tasks.findTask(ids[1]))?.priority).toBe(0);
    // A new config's default replaces the stored one for later inserts; the pause flag is kept.
    const states = createQueueStateRepository(recorder.db);
    await states.setPaused('bulk', true);
    await states.recordDefaults({ bulk: { defaultPriority: 3 } });
    expect(await states.pausedQueues()).toEqual(new Set(['bulk']));
    await states.setPaused('bulk', false);
    const [{ task }] = await recorder.tasks.insertTasks([newTask('bulk')]);
    expect((await recorder.tasks.findTask(task.id))?.priority).toBe(3);
    await states.recordDefaults({ bulk: { defaultPriority: 7 } });
  });

  it('the HTTP client sends priority and reads it back; a bad one is a DispatchrApiError naming it', async () => {
    const client = new DispatchrClient({ url: recorder.url, token: TOKEN });
    const task = await client.enqueue('bulk', { path: '/c', priority: 1 });
    expect(task.priority).toBe(1);
    expect((await client.get(task.id)).priority).toBe(1);
    expect((await client.enqueue('bulk', { path: '/c' })).priority).toBe(7);
    const error = await client.enqueue('bulk', { priority: 12 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DispatchrApiError);
    expect((error as DispatchrApiError).errors).toEqual([
      { path: 'priority', message: 'expected an integer from 0 to 9, got 12' },
    ]);
  });

  it('documents priority in the OpenAPI document: the create body and the task resource', async () => {
    const doc = (await recorder.call('GET', '/v1/openapi.json', auth)).body;
    const body = doc.paths['/v1/queues/{queue}/tasks'].post.requestBody.content['application/json'].schema;
    expect(body.properties.priority).toMatchObject({ type: 'integer', minimum: 0, maximum: 9 });
    expect(body.required ?? []).not.toContain('priority');
    expect(doc.components.schemas.Task.properties.priority).toMatchObject({ type: 'integer' });
    expect(doc.components.schemas.Task.required).toContain('priority');
  });

  it('refuses a defaultPriority outside 0 to 9 in the config, naming the option', () => {
    const problems = (defaultPriority: unknown) => {
      try {
        parseConfig({ queues: { q: { target: 'http://127.0.0.1:9', allowPrivateNetwork: true, defaultPriority } } });
      } catch (error) {
        return (error as { details: { path: string; message: string }[] }).details;
      }
      return [];
    };
    expect(problems(10)).toEqual([{ path: 'queues.q.defaultPriority', message: expect.stringMatching(/<= 9/) }]);
    expect(problems(-1)).toEqual([{ path: 'queues.q.defaultPriority', message: expect.stringMatching(/>= 0/) }]);
    expect(problems(9)).toEqual([]);
  });
});

describe.runIf(drivers().includes('postgresql'))('enqueueWithin and priority', () => {
  it("stores the priority sent, else the queue's stored default, else 0; refuses a bad one by name", async () => {
    const app = await openAppDatabase();
    try {
      await createQueueStateRepository(app.db).recordDefaults({ bulk: { defaultPriority: 6 } });
      const client = await app.pgClient();
      await client.query('begin');
      const sent = await enqueueWithin(client, 'bulk', { priority: 1 });
      const defaulted = await enqueueWithin(client, 'bulk', {});
      const unknown = await enqueueWithin(client, 'no-row', {});
      await expect(enqueueWithin(client, 'bulk', { priority: 10 })).rejects.toMatchObject({
        errors: [{ path: 'priority', message: 'expected an integer from 0 to 9' }],
      });
      await client.query('commit');
      const { rows } = await client.query<{ id: string; priority: number }>(
        'select id, priority from dispatchr_task where id = any($1)',
        [[sent.id, defaulted.id, unknown.id]],
      );
      const byId = new Map(rows.map((row) => [row.id, Number(row.priority)]));
      expect([byId.get(sent.id), byId.get(defaulted.id), byId.get(unknown.id)]).toEqual([1, 6, 0]);
    } finally {
      await app.close();
    }
  });
});
