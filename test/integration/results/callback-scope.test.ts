import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drivers } from '../../support/databases.js';
import { startTestRecorder, TOKEN, type TestRecorder } from '../recorder/support.js';

/**
 * A callback task is a task of its own queue (docs/spec.md 11.5): it is sent to that queue's
 * target and signed with that queue's secret. So a token scoped to some queues may name only those
 * queues in onComplete and onFailure; otherwise a `reports` token could have requests sent,
 * signed as `emails`, through a task of its own queue.
 */
const SCOPED = 'scoped-callback-token-0123456789';

describe.each(drivers())('callback queues and token scopes, on %s', (driver) => {
  let recorder: TestRecorder;

  beforeAll(async () => {
    recorder = await startTestRecorder(
      driver,
      { recorder: { tokens: [TOKEN, { token: SCOPED, role: 'enqueue', queues: ['reports'] }] } },
      { defaultToken: SCOPED },
    );
  });

  afterAll(async () => {
    await recorder?.close();
  });

  it.each([
    ['onComplete', 'single', '/v1/queues/reports/tasks', { onComplete: { queue: 'emails', path: '/done' } }],
    ['onFailure', 'single', '/v1/queues/reports/tasks', { onFailure: { queue: 'emails', path: '/failed' } }],
    [
      'onFailure',
      'batch',
      '/v1/queues/reports/tasks/batch',
      { tasks: [{}, { onFailure: { queue: 'emails', path: '/failed' } }] },
    ],
  ])('refuses %s to a queue outside the token (%s), creating nothing', async (_field, _kind, path, body) => {
    const before = await recorder.count();
    const reply = await recorder.call('POST', path, { body });
    expect(reply.status, reply.text).toBe(403);
    expect((reply.body as { code: string }).code).toBe('forbidden');
    expect((reply.body as { detail: string }).detail).toContain('"emails"');
    expect(await recorder.count()).toBe(before);
  });

  it('accepts callbacks to the queues the token may use', async () => {
    const reply = await recorder.call('POST', '/v1/queues/reports/tasks', {
      body: { onComplete: { queue: 'reports', path: '/done' } },
    });
    expect(reply.status, reply.text).toBe(201);
    expect((reply.body as { onComplete: unknown }).onComplete).toEqual({ queue: 'reports', path: '/done' });
  });

  it('lets an unscoped token name any configured queue', async () => {
    const reply = await recorder.call('POST', '/v1/queues/reports/tasks', {
      body: { onComplete: { queue: 'emails', path: '/done' } },
      token: TOKEN,
    });
    expect(reply.status, reply.text).toBe(201);
  });
});
