import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../src/clock.js';
import { activityResponse, failureGroupsResponse } from '../../../src/recorder/schemas/dashboard.schema.js';
import { drivers } from '../../support/databases.js';
import { claimAll, settleAs } from './dashboard-support.js';
import { QUEUES, startTestRecorder, TOKEN, type TestRecorder } from './support.js';

/**
 * GET /v1/activity (completed, failed and retried per minute and queue) and GET /v1/failures (the
 * failed tasks grouped), over tasks put through the scheduler's own claim and settle at known
 * times. The recorder's clock is fixed 30 s into a minute, so every minute bucket is exact.
 */
const REPORTS_ONLY = 'reports-read-token-0123456789';
const MINUTE = 60_000;

describe.each(drivers())('activity and failures on %s', (driver) => {
  let recorder: TestRecorder;
  const minuteStart = Math.floor(Date.now() / MINUTE) * MINUTE;
  const now = new Date(minuteStart + 30_000);
  const at = (minutesAgo: number, seconds = 5) => new Date(minuteStart - minutesAgo * MINUTE + seconds * 1000);
  const iso = (minutesAgo: number) => new Date(minuteStart - minutesAgo * MINUTE).toISOString();
  const clock = fixedClock(now);

  beforeAll(async () => {
    recorder = await startTestRecorder(
      driver,
      {
        queues: {
          ...QUEUES,
          // Tasks left waiting (retryable, given back) live here, out of the other queues' claims.
          flaky: { target: 'http://127.0.0.1:9/flaky', allowPrivateNetwork: true },
        },
        recorder: { tokens: [TOKEN, { token: REPORTS_ONLY, role: 'read', queues: ['reports'] }] },
      },
      { defaultToken: TOKEN, clock },
    );
  });
  afterAll(async () => recorder?.close());

  /** Creates `n` tasks in the queue, claims them (created and due at `now`) and settles them with one outcome. */
  async function run(queue: string, n: number, outcome: Parameters<typeof settleAs>[3]) {
    const tasks = Array.from({ length: n }, () => ({ path: '/work' }));
    await recorder.call('POST', `/v1/queues/${queue}/tasks/batch`, { body: { tasks } });
    const claimed = await claimAll(recorder.db, queue, 'sched', now);
    expect(claimed).toHaveLength(n);
    await settleAs(recorder.db, claimed, 'sched', outcome);
    return claimed;
  }
  const done = (minutesAgo: number, seconds?: number) => ({
    state: 'completed' as const,
    outcome: 'completed' as const,
    status: 200,
    error: null,
    at: at(minutesAgo, seconds),
  });
  const failed = (minutesAgo: number, status: number | null, error: string) => ({
    state: 'failed' as const,
    outcome: 'failed' as const,
    status,
    error,
    at: at(minutesAgo),
  });

  it('counts completed, failed and retried per minute and queue, over whole minutes', async () => {
    await run('emails', 2, done(2));
    await run('emails', 1, done(2, 55));
    await run('emails', 1, failed(0, 503, 'HTTP 503 Service Unavailable'));
    await run('flaky', 2, { state: 'retryable', outcome: 'retry', status: 500, error: 'HTTP 500', at: at(1) });
    await run('flaky', 1, {
      state: 'available',
      outcome: 'interrupted',
      status: null,
      error: 'interrupted',
      at: at(1),
    });
    await run('reports', 1, done(59));
    await run('reports', 1, done(60)); // before a 60-minute window
    // Cancelled now: finished, but neither completed nor failed.
    const cancelled = await recorder.call('POST', '/v1/queues/emails/tasks', { body: {} });
    await recorder.call('POST', `/v1/tasks/${cancelled.body.id}/cancel`);

    const get = async (query: string, token = TOKEN) => {
      const reply = await recorder.call('GET', `/v1/activity${query}`, { token });
      expect(reply.status, reply.text).toBe(200);
      return activityResponse.parse(reply.body);
    };
    const hour = await get('');
    expect(hour.since).toBe(iso(59));
    expect(hour.minutes).toEqual([
      { minute: iso(59), queue: 'reports', completed: 1, failed: 0, retried: 0 },
      { minute: iso(2), queue: 'emails', completed: 3, failed: 0, retried: 0 },
      { minute: iso(1), queue: 'flaky', completed: 0, failed: 0, retried: 3 },
      { minute: iso(0), queue: 'emails', completed: 0, failed: 1, retried: 0 },
    ]);
    expect(await get('?minutes=61')).toMatchObject({
      since: iso(60),
      minutes: [{ minute: iso(60), queue: 'reports', completed: 1 }, ...hour.minutes],
    });
    expect((await get('?minutes=2')).minutes).toEqual(hour.minutes.slice(2));
    expect((await get('?queue=emails')).minutes.map((m) => m.queue)).toEqual(['emails', 'emails']);
    // A token of some queues sees only theirs.
    expect((await get('', REPORTS_ONLY)).minutes.every((m) => m.queue === 'reports')).toBe(true);
  });

  it('refuses bad parameters with the parameter named, an unknown queue 404, another queue 403', async () => {
    for (const query of [
      'minutes=0',
      'minutes=1441',
      'minutes=abc',
      'minutes=1.5',
      'minutes=-5',
      'minutes=1&minutes=2',
      'minutes=',
      'limit=5',
    ]) {
      const reply = await recorder.call('GET', `/v1/activity?${query}`);
      expect(reply.status, query).toBe(400);
      expect(reply.body.code, query).toBe('validation_failed');
      expect(reply.body.errors[0].path, query).toBe(query.split('=')[0]);
    }
    expect((await recorder.call('GET', '/v1/activity?minutes=1440')).status).toBe(200);
    expect((await recorder.call('GET', '/v1/activity?queue=nope')).body.code).toBe('queue_not_found');
    expect((await recorder.call('GET', '/v1/activity?queue=emails', { token: REPORTS_ONLY })).status).toBe(403);
    expect((await recorder.call('GET', '/v1/failures?queue=nope')).status).toBe(404);
    expect((await recorder.call('GET', '/v1/failures?queue=emails', { token: REPORTS_ONLY })).status).toBe(403);
    const unknown = await recorder.call('GET', '/v1/failures?state=failed');
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors[0].path).toBe('state');
  });

  it('groups the failed tasks by queue, last status and the start of the last error', async () => {
    const long = `HTTP 500 Internal Server Error: ${'x'.repeat(300)}`;
    const first = await run('reports', 3, failed(5, 500, `${long}-first`));
    const second = await run('reports', 1, failed(4, 500, `${long}-second`)); // the same first 200 characters
    const newest = await run('reports', 1, failed(3, null, 'connection refused'));
    const get = async (query: string, token = TOKEN) => {
      const reply = await recorder.call('GET', `/v1/failures${query}`, { token });
      expect(reply.status, reply.text).toBe(200);
      return failureGroupsResponse.parse(reply.body);
    };
    const all = await get('');
    expect(all).toMatchObject({ scanned: 6, complete: true });
    expect(all.groups).toEqual([
      {
        queue: 'reports',
        lastStatus: 500,
        lastError: long.slice(0, 200),
        count: 4,
        newestTaskId: second[0].id,
        newestAt: at(4).toISOString(),
        taskIds: expect.any(Array),
      },
      // Groups of one size: the one that failed last first.
      {
        queue: 'emails',
        lastStatus: 503,
        lastError: 'HTTP 503 Service Unavailable',
        count: 1,
        newestTaskId: expect.any(String),
        newestAt: at(0).toISOString(),
        taskIds: [expect.any(String)],
      },
      {
        queue: 'reports',
        lastStatus: null,
        lastError: 'connection refused',
        count: 1,
        newestTaskId: newest[0].id,
        newestAt: at(3).toISOString(),
        taskIds: [newest[0].id],
      },
    ]);
    // A group names exactly its tasks, the one that failed last first: what a retry of it takes.
    const [grouped] = all.groups;
    expect(grouped.taskIds[0]).toBe(second[0].id);
    expect([...grouped.taskIds].sort()).toEqual([second[0].id, ...first.map((t) => t.id)].sort());
    expect(all.groups[1].taskIds).toEqual([all.groups[1].newestTaskId]);
    expect((await get('?queue=reports')).groups.map((g) => g.lastStatus)).toEqual([500, null]);
    expect((await get('', REPORTS_ONLY)).scanned).toBe(5);
    // A failed task retried by hand is no longer a failure, nor counted as failed in its minute.
    await recorder.call('POST', `/v1/tasks/${newest[0].id}/retry`);
    expect((await get('')).groups.map((g) => g.count)).toEqual([4, 1]);
  });
});
