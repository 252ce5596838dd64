import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDispatchRepository } from '../../../src/db/dispatch.repository.js';
import { taskListResponse, taskResource } from '../../../src/recorder/schemas/resource.schema.js';
import { drivers } from '../../support/databases.js';
import { QUEUES, startTestRecorder, type TestRecorder } from './support.js';

/**
 * Reading tasks and the operator's actions. States the API cannot reach by itself (running, failed)
 * are made with the scheduler's own repository, as a scheduler would.
 */
describe.each(drivers())('task routes on %s', (driver) => {
  let recorder: TestRecorder;
  beforeAll(async () => {
    recorder = await startTestRecorder(driver, {
      queues: {
        ...QUEUES,
        ops: { target: 'http://127.0.0.1:9/ops', allowPrivateNetwork: true },
        listing: { target: 'http://127.0.0.1:9/l', allowPrivateNetwork: true },
      },
    });
  });
  afterAll(async () => recorder.close());

  const create = async (queue: string, body: Record<string, unknown> = {}) =>
    (await recorder.call('POST', `/v1/queues/${queue}/tasks`, { body })).body;

  /** Claims the queue's due tasks and settles them with the given outcome, as the scheduler does. */
  async function claim(queue: string) {
    const dispatch = createDispatchRepository(recorder.db);
    return dispatch.claim({
      queue,
      limit: 10,
      owner: 'test-scheduler',
      now: new Date(),
      leaseMs: 60_000,
      maxConcurrent: 10,
    });
  }

  it('shows a task with every attempt, the running one with outcome null', async () => {
    const task = await create('ops');
    const [running] = await claim('ops');
    const dispatch = createDispatchRepository(recorder.db);
    const startedAt = running.attemptedAt!;
    await dispatch.settle(
      [
        {
          taskId: task.id,
          attempt: 1,
          owner: 'test-scheduler',
          state: 'retryable',
          nextAttempt: 1,
          runAt: new Date(),
          lastStatus: 500,
          lastError: 'HTTP 500',
          record: {
            startedAt,
            finishedAt: new Date(),
            status: 500,
            outcome: 'retry',
            durationMs: 12,
            error: 'HTTP 500',
            responseExcerpt: 'oops',
          },
        },
      ],
      new Date(),
    );
    await claim('ops'); // attempt 2 is now in flight

    const reply = await recorder.call('GET', `/v1/tasks/${task.id}`);
    expect(reply.status).toBe(200);
    const shown = taskResource.parse(reply.body);
    expect(shown).toMatchObject({ state: 'running', attempt: 2, lastStatus: 500, lastError: 'HTTP 500' });
    expect(shown.attempts).toEqual([
      {
        number: 1,
        startedAt: startedAt.toISOString(),
        finishedAt: expect.any(String),
        status: 500,
        outcome: 'retry',
        durationMs: 12,
        error: 'HTTP 500',
        responseExcerpt: 'oops',
      },
      {
        number: 2,
        startedAt: expect.any(String),
        finishedAt: null,
        status: null,
        outcome: null,
        durationMs: null,
        error: null,
        responseExcerpt: null,
      },
    ]);
    // A running task cannot be run now, retried or deleted; the 409 names its state. (Cancelling
    // it is allowed: test/integration/cancel-running/.)
    const run = await recorder.call('POST', `/v1/tasks/${task.id}/run`);
    expect(run.status).toBe(409);
    expect(run.body.detail).toContain('running');
    expect(run.body.errors).toEqual([{ path: 'state', message: 'the task is running' }]);
    expect((await recorder.call('POST', `/v1/tasks/${task.id}/retry`)).status).toBe(409);
    expect((await recorder.call('DELETE', `/v1/tasks/${task.id}`)).status).toBe(409);
  });

  it('answers 404 for an unknown or malformed task id', async () => {
    const unknown = await recorder.call('GET', '/v1/tasks/01900000-0000-7000-8000-000000000000');
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('task_not_found');
    expect((await recorder.call('GET', '/v1/tasks/not-a-uuid')).status).toBe(404);
    expect((await recorder.call('POST', '/v1/tasks/not-a-uuid/cancel')).status).toBe(404);
    expect((await recorder.call('DELETE', '/v1/tasks/01900000-0000-7000-8000-000000000000')).status).toBe(404);
  });

  it('cancels a waiting task, retries it (history kept), and deletes it once finished', async () => {
    const task = await create('emails', { delay: 600 });
    expect((await recorder.call('POST', `/v1/tasks/${task.id}/retry`)).status).toBe(409); // scheduled is not retryable
    const cancelled = await recorder.call('POST', `/v1/tasks/${task.id}/cancel`);
    expect(cancelled.body).toMatchObject({ state: 'cancelled', finalizedAt: expect.any(String) });
    const again = await recorder.call('POST', `/v1/tasks/${task.id}/cancel`);
    expect(again.status).toBe(409);
    expect(again.body.detail).toContain('cancelled');
    const retried = await recorder.call('POST', `/v1/tasks/${task.id}/retry`);
    expect(retried.body).toMatchObject({ state: 'available', attempt: 0, finalizedAt: null });
    expect(Date.parse(retried.body.runAt)).toBeLessThanOrEqual(Date.now());
    const notFinished = await recorder.call('DELETE', `/v1/tasks/${task.id}`);
    expect(notFinished.status).toBe(409);
    expect(notFinished.body.code).toBe('invalid_state');
    await recorder.call('POST', `/v1/tasks/${task.id}/cancel`);
    const deleted = await recorder.call('DELETE', `/v1/tasks/${task.id}`);
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    expect((await recorder.call('GET', `/v1/tasks/${task.id}`)).status).toBe(404);
  });

  it('runs a scheduled task now, and refuses to run an available one', async () => {
    const task = await create('emails', { delay: '1h' });
    const ran = await recorder.call('POST', `/v1/tasks/${task.id}/run`);
    expect(ran.body.state).toBe('available');
    expect(Date.parse(ran.body.runAt)).toBeLessThan(Date.parse(task.runAt));
    const twice = await recorder.call('POST', `/v1/tasks/${task.id}/run`);
    expect(twice.status).toBe(409);
    expect(twice.body.detail).toContain('available');
  });

  it('lists newest first with an opaque cursor, filters by state, and pages to the end', async () => {
    const made = [];
    for (let i = 0; i < 5; i++)
      made.push(await create('listing', { path: `/n/${i}`, ...(i === 2 ? { delay: 60 } : {}) }));
    const first = await recorder.call('GET', '/v1/queues/listing/tasks?limit=2');
    expect(first.status).toBe(200);
    const page = taskListResponse.parse(first.body);
    expect(page.tasks.map((t) => t.path)).toEqual(['/n/4', '/n/3']);
    expect(page.tasks[0].attempts).toBeUndefined();
    const rest = await recorder.call('GET', `/v1/queues/listing/tasks?limit=2&cursor=${page.nextCursor}`);
    expect(rest.body.tasks.map((t: { path: string }) => t.path)).toEqual(['/n/2', '/n/1']);
    const last = await recorder.call('GET', `/v1/queues/listing/tasks?limit=2&cursor=${rest.body.nextCursor}`);
    expect(last.body).toMatchObject({ tasks: [{ path: '/n/0' }], nextCursor: null });
    const scheduled = await recorder.call('GET', '/v1/queues/listing/tasks?state=scheduled');
    expect(scheduled.body.tasks.map((t: { path: string }) => t.path)).toEqual(['/n/2']);
    expect((await recorder.call('GET', '/v1/queues/listing/tasks')).body.tasks).toHaveLength(5); // default limit 100
  });

  it('refuses bad list parameters with the parameter named', async () => {
    for (const query of [
      'limit=1e9',
      'limit=0',
      'limit=1001',
      'limit=-1',
      'limit=1&limit=2',
      'state=done',
      'cursor=AAAA',
      'cursor=' + Buffer.from('v1:x').toString('base64url'),
      'page=2',
    ]) {
      const reply = await recorder.call('GET', `/v1/queues/listing/tasks?${query}`);
      expect(reply.status, query).toBe(400);
      expect(reply.body.errors[0].path, query).toBe(query.split('=')[0]);
    }
    expect((await recorder.call('GET', '/v1/queues/listing/tasks?limit=1000')).status).toBe(200);
    expect((await recorder.call('GET', '/v1/queues/nope/tasks')).status).toBe(404);
  });
});
