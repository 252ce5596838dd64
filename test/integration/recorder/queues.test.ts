import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../src/clock.js';
import { queueListResponse, queueResource } from '../../../src/recorder/schemas/resource.schema.js';
import { drivers } from '../../support/databases.js';
import { startTestRecorder, type TestRecorder } from './support.js';

/** GET /v1/queues and pause / resume / purge. A stepped clock makes the oldest-due age exact. */
describe.each(drivers())('queue routes on %s', (driver) => {
  let recorder: TestRecorder;
  const clock = fixedClock(new Date());
  beforeAll(async () => {
    recorder = await startTestRecorder(driver, {}, { clock });
  });
  afterAll(async () => recorder.close());

  it('lists every configured queue with counts per state, paused flag and oldest due age', async () => {
    const empty = queueListResponse.parse((await recorder.call('GET', '/v1/queues')).body);
    expect(empty.queues.map((q) => q.name)).toEqual(['emails', 'reports']);
    expect(empty.queues[0]).toEqual({
      name: 'emails',
      paused: false,
      counts: { scheduled: 0, available: 0, running: 0, retryable: 0, completed: 0, failed: 0, cancelled: 0 },
      oldestDueAgeSeconds: 0,
      maxConcurrent: 100,
      rateLimit: null,
      currentRate: null, // no scheduler metrics endpoint is configured: the adaptive rate is unknown
      config: {
        target: 'http://127.0.0.1:9/tasks',
        timeout: 30_000,
        maxAttempts: 25,
        defaultPriority: 0,
        retry: { strategy: 'exponential', options: {}, maxRetryDuration: 604_800_000 },
      },
    });

    await recorder.call('POST', '/v1/queues/emails/tasks', { body: {} });
    clock.advance(30_000);
    await recorder.call('POST', '/v1/queues/emails/tasks', { body: {} });
    await recorder.call('POST', '/v1/queues/emails/tasks', { body: { delay: '1h' } });
    const cancelled = await recorder.call('POST', '/v1/queues/emails/tasks', { body: {} });
    await recorder.call('POST', `/v1/tasks/${cancelled.body.id}/cancel`);
    clock.advance(60_000);

    const [emails, reports] = (await recorder.call('GET', '/v1/queues')).body.queues;
    expect(emails.counts).toMatchObject({ available: 2, scheduled: 1, cancelled: 1 });
    expect(emails.oldestDueAgeSeconds).toBe(90); // the first task has been due for 90 s
    expect(reports.counts.available).toBe(0);
  });

  it('pauses and resumes a queue, and the list shows it', async () => {
    const paused = await recorder.call('POST', '/v1/queues/reports/pause');
    expect(paused.status).toBe(200);
    expect(queueResource.parse(paused.body)).toMatchObject({ name: 'reports', paused: true });
    const listed = (await recorder.call('GET', '/v1/queues')).body.queues;
    expect(listed.find((q: { name: string }) => q.name === 'reports').paused).toBe(true);
    // A paused queue still accepts tasks: pausing stops dispatch, not recording.
    expect((await recorder.call('POST', '/v1/queues/reports/tasks', { body: {} })).status).toBe(201);
    const resumed = await recorder.call('POST', '/v1/queues/reports/resume');
    expect(resumed.body.paused).toBe(false);
  });

  it('purges waiting tasks only and answers the count', async () => {
    await recorder.call('POST', '/v1/queues/reports/tasks/batch', { body: { tasks: [{}, {}, { delay: 60 }] } });
    const finished = await recorder.call('POST', '/v1/queues/reports/tasks', { body: {} });
    await recorder.call('POST', `/v1/tasks/${finished.body.id}/cancel`);
    const waiting = (await recorder.call('GET', '/v1/queues/reports/tasks?limit=1000')).body.tasks.filter(
      (t: { state: string }) => t.state !== 'cancelled',
    ).length;
    const purge = await recorder.call('POST', '/v1/queues/reports/purge');
    expect(purge.status).toBe(200);
    expect(purge.body).toEqual({ queue: 'reports', purged: waiting });
    expect(await recorder.count('reports')).toBe(1); // the cancelled one stays
    expect((await recorder.call('POST', '/v1/queues/reports/purge')).body.purged).toBe(0);
  });

  it('answers 404 for unknown queues on every queue route', async () => {
    for (const [method, path] of [
      ['POST', '/v1/queues/nope/pause'],
      ['POST', '/v1/queues/nope/resume'],
      ['POST', '/v1/queues/nope/purge'],
      ['GET', '/v1/queues/nope/tasks'],
      ['POST', '/v1/queues/nope/tasks/batch'],
    ]) {
      const reply = await recorder.call(
        method,
        path,
        method === 'POST' && path.endsWith('batch') ? { body: { tasks: [{}] } } : {},
      );
      expect(reply.status, path).toBe(404);
      expect(reply.body.code, path).toBe('queue_not_found');
    }
  });
});
