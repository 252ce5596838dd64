import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDispatchRepository } from '../../../src/db/dispatch.repository.js';
import { taskListResponse, taskResource } from '../../../src/recorder/schemas/resource.schema.js';
import { bulkRetryResponse } from '../../../src/recorder/schemas/search.schema.js';
import { drivers } from '../../support/databases.js';
import { startTestRecorder, TOKEN, type TestRecorder } from '../recorder/support.js';

/**
 * The API under the CLI's --url mode: GET /v1/tasks (search across queues) and POST /v1/tasks/retry
 * (bulk retry), with token scopes, and `waiting` on GET /v1/tasks/{id}.
 */
const READER = 'reader-token-0123456789abcdef';
const SCOPED = 'scoped-token-0123456789abcdef';

describe.each(drivers())('search and bulk retry API on %s', (driver) => {
  let recorder: TestRecorder;
  beforeAll(async () => {
    recorder = await startTestRecorder(
      driver,
      { recorder: { tokens: [TOKEN, { token: READER, readOnly: true }, { token: SCOPED, queues: ['reports'] }] } },
      { defaultToken: TOKEN },
    );
  });
  afterAll(async () => recorder.close());

  const create = async (queue: string, body: Record<string, unknown>) =>
    (await recorder.call('POST', `/v1/queues/${queue}/tasks`, { body })).body;
  /** Fails every due task of the queue, as a scheduler would on a 400 answer. */
  async function failAll(queue: string) {
    const dispatch = createDispatchRepository(recorder.db);
    const now = new Date();
    const claimed = await dispatch.claim({ queue, limit: 100, owner: 's', now, leaseMs: 60_000, maxConcurrent: 100 });
    await dispatch.settle(
      claimed.map((t) => ({
        taskId: t.id,
        attempt: t.attempt,
        owner: 's',
        state: 'failed' as const,
        nextAttempt: t.attempt,
        runAt: null,
        lastStatus: 400,
        lastError: 'HTTP 400',
        record: {
          startedAt: now,
          finishedAt: now,
          status: 400,
          outcome: 'failed' as const,
          durationMs: 1,
          error: 'HTTP 400',
          responseExcerpt: null,
        },
      })),
      now,
    );
    return claimed.length;
  }

  it('searches across queues with the filters of the CLI, paginated', async () => {
    const a = await create('emails', {
      path: '/search/a',
      body: { order: 'ord-77' },
      headers: { 'x-tenant': 'north' },
    });
    const b = await create('reports', {
      path: '/search/b',
      body: { order: 'ord-78' },
      headers: { authorization: 'Bearer ord-77' },
    });
    const c = await create('reports', { path: '/other/c', delay: '1h' });
    const ids = async (query: string, token = TOKEN) => {
      const reply = await recorder.call('GET', `/v1/tasks?${query}`, { token });
      expect(reply.status, query).toBe(200);
      return taskListResponse.parse(reply.body).tasks.map((t) => t.id);
    };
    expect(await ids('path=/search/')).toEqual([b.id, a.id]);
    expect(await ids('search=ORD-77')).toEqual([a.id]); // the Authorization value of b is not searchable
    expect(await ids('search=north')).toEqual([a.id]);
    expect(await ids('state=scheduled,available&path=/')).toEqual([c.id, b.id, a.id]);
    expect(await ids('queue=reports&path=/')).toEqual([c.id, b.id]);
    expect(
      await ids(
        `since=${encodeURIComponent(new Date(Date.now() - 60_000).toISOString())}&until=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}&path=/search`,
      ),
    ).toEqual([b.id, a.id]);
    expect(await ids('path=/', SCOPED)).toEqual([c.id, b.id]); // a scoped token searches its queues only
    const first = (await recorder.call('GET', '/v1/tasks?path=/&limit=2')).body;
    expect(first.tasks).toHaveLength(2);
    const rest = (await recorder.call('GET', `/v1/tasks?path=/&limit=2&cursor=${first.nextCursor}`)).body;
    expect(rest).toMatchObject({ tasks: [{ id: a.id }], nextCursor: null });
  });

  it('refuses bad filters with the parameter named, an unknown queue 404, another queue 403', async () => {
    for (const query of [
      'state=done',
      'since=yesterday',
      'until=2025-13-01T00:00:00Z',
      'search=',
      'limit=0',
      'cursor=xyz',
      'color=red',
    ]) {
      const reply = await recorder.call('GET', `/v1/tasks?${query}`);
      expect(reply.status, query).toBe(400);
      expect(reply.body.errors[0].path, query).toBe(query.split('=')[0]);
    }
    expect((await recorder.call('GET', '/v1/tasks?queue=nope')).body.code).toBe('queue_not_found');
    expect((await recorder.call('GET', '/v1/tasks?queue=emails', { token: SCOPED })).status).toBe(403);
  });

  it('retries failed tasks server-side and answers the counts; dry runs change nothing', async () => {
    for (let i = 0; i < 3; i++) await create('emails', { path: `/bulk/${i}` });
    await create('reports', { path: '/bulk/r' });
    await failAll('emails');
    await failAll('reports');
    const dry = await recorder.call('POST', '/v1/tasks/retry', {
      body: { queue: 'emails', state: 'failed', path: '/bulk/', dryRun: true },
    });
    expect(bulkRetryResponse.parse(dry.body)).toEqual({ matched: 3, retried: 0 });
    // A scoped token retries only in its queues, even without naming one.
    expect(
      (await recorder.call('POST', '/v1/tasks/retry', { body: { state: ['failed'], path: '/bulk/' }, token: SCOPED }))
        .body,
    ).toEqual({ matched: 1, retried: 1 });
    const done = await recorder.call('POST', '/v1/tasks/retry', { body: { state: 'failed', path: '/bulk/' } });
    expect(done.status).toBe(200);
    expect(done.body).toEqual({ matched: 3, retried: 3 });
    expect(await recorder.tasks.countTasks({ states: ['failed'], pathPrefix: '/bulk/' })).toBe(0);
    expect(await recorder.tasks.countTasks({ states: ['available'], pathPrefix: '/bulk/' })).toBe(4);
  });

  it('refuses a bulk retry from a read-only token, of other states, or of a queue out of scope', async () => {
    expect((await recorder.call('POST', '/v1/tasks/retry', { body: { state: 'failed' }, token: READER })).status).toBe(
      403,
    );
    const completed = await recorder.call('POST', '/v1/tasks/retry', { body: { state: 'completed' } });
    expect(completed.status).toBe(400);
    expect(completed.body.errors[0].path).toBe('state');
    expect((await recorder.call('POST', '/v1/tasks/retry', { body: {} })).body.errors[0].path).toBe('state');
    expect(
      (await recorder.call('POST', '/v1/tasks/retry', { body: { state: 'failed', queue: 'emails' }, token: SCOPED }))
        .status,
    ).toBe(403);
    expect((await recorder.call('POST', '/v1/tasks/retry', { body: { state: 'failed', queue: 'nope' } })).status).toBe(
      404,
    );
  });

  it('explains why a task waits on GET /v1/tasks/{id}, and says nothing once it has finished', async () => {
    const later = await create('emails', { delay: '10m' });
    const shown = taskResource.parse((await recorder.call('GET', `/v1/tasks/${later.id}`)).body);
    expect(shown.waiting).toEqual({
      code: 'scheduled',
      message: expect.stringMatching(/^scheduled for .* \(in (59\d(\.\d)?|600) s\)$/),
    });
    const due = await create('reports', {});
    expect((await recorder.call('GET', `/v1/tasks/${due.id}`)).body.waiting).toEqual({
      code: 'no-scheduler',
      message: 'no live scheduler serves queue reports',
    });
    await recorder.call('POST', '/v1/queues/reports/pause');
    expect((await recorder.call('GET', `/v1/tasks/${due.id}`)).body.waiting.code).toBe('queue-paused');
    await recorder.call('POST', '/v1/queues/reports/resume');
    await recorder.call('POST', `/v1/tasks/${due.id}/cancel`);
    expect((await recorder.call('GET', `/v1/tasks/${due.id}`)).body.waiting).toBeNull();
    // Lists stay cheap: no explanation per task.
    expect((await recorder.call('GET', '/v1/tasks?limit=1')).body.tasks[0].waiting).toBeUndefined();
  });

  it('documents the new routes in the OpenAPI document', async () => {
    const doc = (await recorder.call('GET', '/v1/openapi.json')).body;
    expect(doc.paths['/v1/tasks'].get.parameters.map((p: { name: string }) => p.name)).toEqual([
      'queue',
      'since',
      'until',
      'path',
      'search',
      'state',
      'limit',
      'cursor',
      'view',
    ]);
    // `state` is required unless `ids` names the tasks: the schema lists no required field, the route checks.
    const retryBody = doc.paths['/v1/tasks/retry'].post.requestBody.content['application/json'].schema;
    expect(retryBody.required).toBeUndefined();
    expect(Object.keys(retryBody.properties)).toEqual(expect.arrayContaining(['state', 'ids', 'dryRun']));
    expect(doc.paths['/v1/tasks/retry'].post.responses['200'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/BulkRetry',
    });
  });
});
