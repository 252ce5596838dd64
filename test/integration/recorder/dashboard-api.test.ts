import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../src/clock.js';
import { parseConfig } from '../../../src/config/load.js';
import { createSchedulerRegistry } from '../../../src/db/scheduler-registry.repository.js';
import { renderQueueConfig } from '../../../src/recorder/queue-config-view.js';
import { sessionResponse } from '../../../src/recorder/schemas/dashboard.schema.js';
import { queueListResponse } from '../../../src/recorder/schemas/resource.schema.js';
import { schedulerListResponse } from '../../../src/recorder/scheduler-view.js';
import { drivers } from '../../support/databases.js';
import { claimAll } from './dashboard-support.js';
import { startTestRecorder, TOKEN, type TestRecorder } from './support.js';

/**
 * What the dashboard reads besides tasks: GET /v1/session for each kind of caller, each queue's
 * configuration with its secrets hidden, and the leases each scheduler holds (spec 4.10, 4.15).
 */
const READER = 'read-token-0123456789abcdef';
const ENQUEUER = 'enqueue-token-0123456789abcdef';
const SCOPED = 'scoped-read-token-0123456789ab';
const REPORTS_ONLY = 'reports-read-token-0123456789';

const QUEUES = {
  emails: {
    target: 'https://mailer:hunter2@mail.example.com/hooks/send?api_key=k-123&region=eu&debug#part',
    retry: { strategy: 'fixed', options: { delay: '5s' }, maxAttempts: 7 },
    timeout: '20s',
  },
  reports: { target: 'http://127.0.0.1:9/reports/', allowPrivateNetwork: true },
};

describe.each(drivers())('dashboard reads on %s', (driver) => {
  let recorder: TestRecorder;
  let open: TestRecorder;
  const clock = fixedClock(new Date());
  beforeAll(async () => {
    recorder = await startTestRecorder(
      driver,
      {
        queues: QUEUES,
        recorder: {
          tokens: [
            TOKEN,
            { token: READER, role: 'read', name: 'dashboard viewer' },
            { token: ENQUEUER, role: 'enqueue', name: 'app' },
            { token: SCOPED, role: 'read', queues: ['reports', 'emails'] },
            { token: REPORTS_ONLY, role: 'read', queues: ['reports'] },
          ],
        },
      },
      { defaultToken: TOKEN, clock },
    );
    open = await startTestRecorder(driver);
  });
  afterAll(async () => {
    await recorder?.close();
    await open?.close();
  });

  it('answers GET /v1/session for each role, an open API, and refuses a bad token', async () => {
    const session = async (token: string | null, on = recorder) => {
      const reply = await on.call('GET', '/v1/session', { token });
      expect(reply.status, reply.text).toBe(200);
      return sessionResponse.parse(reply.body);
    };
    expect(await session(TOKEN)).toEqual({ open: false, role: 'admin', name: null, queues: null });
    expect(await session(READER)).toEqual({ open: false, role: 'read', name: 'dashboard viewer', queues: null });
    expect(await session(ENQUEUER)).toEqual({ open: false, role: 'enqueue', name: 'app', queues: null });
    expect(await session(SCOPED)).toEqual({ open: false, role: 'read', name: null, queues: ['emails', 'reports'] });
    expect(await session(null, open)).toEqual({ open: true, role: 'admin', name: null, queues: null });

    const bad = await recorder.call('GET', '/v1/session', { token: 'not-a-token-0123456789abcdef' });
    expect(bad.status).toBe(401);
    expect(bad.body.code).toBe('unauthorized');
    expect((await recorder.call('GET', '/v1/session', { token: null })).status).toBe(401);
    const query = await recorder.call('GET', '/v1/session?token=x');
    expect(query.status).toBe(400);
    expect(query.body.errors[0].path).toBe('token');
  });

  it('shows each queue its configuration, credentials hidden, to a read token too', async () => {
    const reply = await recorder.call('GET', '/v1/queues', { token: READER });
    const [emails, reports] = queueListResponse.parse(reply.body).queues;
    expect(emails.config).toEqual({
      target:
        'https://[redacted]@mail.example.com/hooks/send?api_key=[redacted]&region=[redacted]&[redacted]#[redacted]',
      timeout: 20_000,
      maxAttempts: 7,
      defaultPriority: 0,
      retry: { strategy: 'fixed', options: { delay: '5s' }, maxRetryDuration: 7 * 24 * 3_600_000 },
    });
    expect(reply.text).not.toContain('hunter2');
    expect(reply.text).not.toContain('k-123');
    expect(reports.config).toEqual({
      target: 'http://127.0.0.1:9/reports/',
      timeout: 30_000,
      maxAttempts: 25,
      defaultPriority: 0,
      retry: { strategy: 'exponential', options: {}, maxRetryDuration: 7 * 24 * 3_600_000 },
    });
    // pause and resume answer the same shape.
    const paused = await recorder.call('POST', '/v1/queues/emails/pause');
    expect(paused.body.config.target).toBe(emails.config.target);
    await recorder.call('POST', '/v1/queues/emails/resume');
  });

  it('hides strategy options whose name is a secret, at any depth, and a target that is not a URL', () => {
    const config = parseConfig({ queues: { q: { target: 'https://example.com/' } } }).queues.q;
    const shown = renderQueueConfig({
      ...config,
      target: 'not a url',
      retry: {
        ...config.retry,
        strategy: './my-strategy.js',
        options: { base: 2, apiToken: 'tok-1', nested: { password: 'pw', steps: [1, { secret: 's' }] } },
      },
    });
    expect(shown.target).toBe('[redacted]');
    expect(shown.retry.options).toEqual({
      base: 2,
      apiToken: '[redacted]',
      nested: { password: '[redacted]', steps: [1, { secret: '[redacted]' }] },
    });
  });

  it('counts the leases each scheduler holds, within the token scope', async () => {
    const registry = createSchedulerRegistry(recorder.db, clock);
    for (const id of ['sched-a', 'sched-b'])
      await registry.heartbeat({ id, queues: ['emails', 'reports'], startedAt: clock.now(), rates: {} });
    for (const queue of ['emails', 'emails', 'reports'])
      await recorder.call('POST', `/v1/queues/${queue}/tasks`, { body: { path: '/lease' } });
    await claimAll(recorder.db, 'emails', 'sched-a', clock.now());
    await claimAll(recorder.db, 'reports', 'sched-a', clock.now());

    const all = schedulerListResponse.parse((await recorder.call('GET', '/v1/schedulers')).body).schedulers;
    expect(Object.fromEntries(all.map((s) => [s.id, s.leasesHeld]))).toEqual({ 'sched-a': 3, 'sched-b': 0 });

    // A token of some queues counts those only: the same scheduler, seen through `reports`.
    const scoped = schedulerListResponse.parse(
      (await recorder.call('GET', '/v1/schedulers', { token: REPORTS_ONLY })).body,
    ).schedulers;
    expect(scoped.map((s) => [s.id, s.queues, s.leasesHeld]).sort()).toEqual([
      ['sched-a', ['reports'], 1],
      ['sched-b', ['reports'], 0],
    ]);
  });

  it('documents the new routes in the OpenAPI document', async () => {
    const doc = (await recorder.call('GET', '/v1/openapi.json')).body;
    const operation = (path: string, method: string) => doc.paths[path][method];
    expect(operation('/v1/session', 'get').responses['200'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/Session',
    });
    expect(operation('/v1/activity', 'get').parameters.map((p: { name: string }) => p.name)).toEqual([
      'minutes',
      'queue',
    ]);
    expect(operation('/v1/failures', 'get')['x-dispatchr-permission']).toBe('read');
    const cancel = operation('/v1/tasks/cancel', 'post');
    expect(cancel['x-dispatchr-permission']).toBe('admin');
    const body = cancel.requestBody.content['application/json'].schema;
    expect(body.properties.ids).toMatchObject({ type: 'array', minItems: 1, maxItems: 1000 });
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(['Session', 'Activity', 'FailureGroups', 'BulkCancel']),
    );
    expect(doc.components.schemas.Queue.properties.config.properties.target.type).toBe('string');
  });
});
