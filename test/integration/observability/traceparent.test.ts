import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drivers } from '../../support/databases.js';
import { waitFor } from '../../support/target-server.js';
import { startStack, type Stack } from './support.js';

/**
 * W3C Trace Context end to end: the `traceparent` of the request that created a task is stored with
 * it and sent on every dispatch attempt, retries included, so one trace runs from the request that
 * enqueued to the handler. An invalid one is ignored: stored as null and never sent.
 */
const TRACE = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const BATCH_TRACE = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00';

describe.each(drivers())('traceparent from create to every attempt on %s', (driver) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack(
      driver,
      {
        // Fails twice, then succeeds: three attempts of one task.
        '/t/flaky': (_req, res, n) => res.writeHead(n < 3 ? 503 : 200).end(),
        '/t/ok': (_req, res) => res.writeHead(200).end(),
      },
      (url) => ({
        queues: {
          traced: {
            target: `${url}/t`,
            allowPrivateNetwork: true,
            retry: { strategy: 'fixed', options: { delay: '50ms' }, maxAttempts: 5 },
          },
        },
      }),
    );
  });
  afterAll(async () => stack?.close());

  const finished = (id: string) =>
    waitFor(
      async () => {
        const reply = await stack.recorder.call('GET', `/v1/tasks/${id}`);
        return ['completed', 'failed'].includes(reply.body.state) ? reply.body : undefined;
      },
      20_000,
      `task ${id} to finish`,
    );

  it('stores the create request’s traceparent and sends it on every attempt', async () => {
    const created = await stack.recorder.call('POST', '/v1/queues/traced/tasks', {
      body: { path: '/flaky' },
      headers: { traceparent: TRACE },
    });
    expect(created.status).toBe(201);
    expect(created.body.traceparent).toBe(TRACE);
    const task = await finished(created.body.id);
    expect(task).toMatchObject({ state: 'completed', attempt: 3, traceparent: TRACE });
    const received = stack.target.for('/t/flaky');
    expect(received).toHaveLength(3);
    expect(received.map((r) => r.headers.traceparent)).toEqual([TRACE, TRACE, TRACE]);
    expect(received.map((r) => r.headers['dispatchr-attempt'])).toEqual(['1', '2', '3']);
  });

  it('carries a batch create’s traceparent on each of its tasks, and drops an invalid one', async () => {
    const batch = await stack.recorder.call('POST', '/v1/queues/traced/tasks/batch', {
      body: { tasks: [{ path: '/ok?n=1' }, { path: '/ok?n=2' }] },
      headers: { traceparent: BATCH_TRACE },
    });
    expect(batch.status).toBe(201);
    const invalid = await stack.recorder.call('POST', '/v1/queues/traced/tasks', {
      body: { path: '/ok?n=3' },
      headers: { traceparent: 'ff-not-a-trace' },
    });
    expect(invalid.status).toBe(201);
    expect(invalid.body.traceparent).toBeNull();
    for (const task of [...batch.body.tasks, invalid.body]) await finished(task.id);
    const received = stack.target.for('/t/ok');
    expect(received).toHaveLength(3);
    const byTask = new Map(received.map((r) => [String(r.headers['dispatchr-task-id']), r.headers.traceparent]));
    expect(byTask.get(batch.body.tasks[0].id)).toBe(BATCH_TRACE);
    expect(byTask.get(batch.body.tasks[1].id)).toBe(BATCH_TRACE);
    expect(byTask.get(invalid.body.id)).toBeUndefined();
  });
});
