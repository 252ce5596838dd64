import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { queueListResponse, queueResource } from '../../../src/recorder/schemas/resource.schema.js';
import { drivers } from '../../support/databases.js';
import { json, startOperatorEnv, type OperatorEnv } from './support.js';

/** `dispatchr queues list|pause|resume|purge` against a real database from --config. */
vi.setConfig({ testTimeout: 120_000 });

describe.each(drivers())('dispatchr queues on %s', (driver) => {
  let env: OperatorEnv;
  beforeAll(async () => {
    env = await startOperatorEnv(driver);
    await env.seed('emails', { runAt: new Date(Date.now() - 90_000) });
    await env.seed('emails', { runAt: new Date(Date.now() + 600_000) });
    const failed = await env.seed('emails');
    await env.settle(failed, 'failed', 500);
    // The oldest due task has waited 90 s: seeded due now, then moved back as if it had been waiting.
    const p = driver === 'postgresql' ? '$1' : '?';
    await env.db.sql.execute(`update dispatchr_task set run_at = ${p} where state = 'available'`, [
      new Date(Date.now() - 90_000),
    ]);
  });
  afterAll(async () => env?.cleanup());

  it('lists counts per state, the oldest due age, paused, limits and the rate in force', async () => {
    const [table, doc] = await Promise.all([env.cli(['queues', 'list']), env.cli(['queues', 'list', '--json'])]);
    expect(table.code).toBe(0);
    const [header, emails, reports] = table.stdout.trim().split('\n');
    expect(header.split(/\s{2,}/)).toEqual([
      'QUEUE',
      'PAUSED',
      'SCHEDULED',
      'AVAILABLE',
      'RUNNING',
      'RETRYABLE',
      'COMPLETED',
      'FAILED',
      'CANCELLED',
      'OLDEST DUE',
      'MAX CONCURRENT',
      'RATE LIMIT',
      'CURRENT RATE',
    ]);
    expect(emails.split(/\s{2,}/)).toEqual([
      'emails',
      'no',
      '1',
      '1',
      '0',
      '0',
      '0',
      '1',
      '0',
      expect.stringMatching(/^(9\d|1[01]\d)s$/),
      '100',
      '10/s burst 10',
      'unknown',
    ]);
    expect(reports.split(/\s{2,}/)).toEqual([
      'reports',
      'no',
      '0',
      '0',
      '0',
      '0',
      '0',
      '0',
      '0',
      '0s',
      '5',
      'none',
      'unknown',
    ]);

    const { queues } = queueListResponse.parse(json(doc));
    expect(queues[0]).toMatchObject({
      name: 'emails',
      counts: { available: 1, scheduled: 1, failed: 1 },
      maxConcurrent: 100,
      rateLimit: { perSecond: 10, burst: 10 },
      currentRate: null,
    });
    expect(queues[0].oldestDueAgeSeconds).toBeGreaterThanOrEqual(90);
  });

  it('pauses and resumes a queue; an unknown queue exits 1', async () => {
    expect(await env.cli(['queues', 'pause', 'reports'])).toMatchObject({ code: 0, stdout: 'paused queue reports\n' });
    const listed = queueListResponse.parse(json(await env.cli(['queues', 'list', '--json'])));
    expect(listed.queues.find((q) => q.name === 'reports')?.paused).toBe(true);
    expect(queueResource.parse(json(await env.cli(['queues', 'resume', 'reports', '--json'])))).toMatchObject({
      name: 'reports',
      paused: false,
    });
    expect(await env.cli(['queues', 'pause', 'nope'])).toMatchObject({
      code: 1,
      stderr: 'error: no queue "nope" is configured\n',
    });
    expect((await env.cli(['queues', 'pause'])).code).toBe(2);
  });

  it('purges waiting tasks only after confirmation; --yes confirms', async () => {
    const refused = await env.cli(['queues', 'purge', 'emails']);
    expect(refused).toMatchObject({
      code: 2,
      stdout: '',
      stderr: 'error: Delete 2 waiting tasks of queue emails: not confirmed; pass --yes to run without a terminal\n',
    });
    expect(await env.tasks.countTasks({ queue: 'emails' })).toBe(3);
    const purged = await env.cli(['queues', 'purge', 'emails', '--yes', '--json']);
    expect(json(purged)).toEqual({ queue: 'emails', purged: 2 });
    expect(await env.tasks.countTasks({ queue: 'emails' })).toBe(1); // the failed one stays
    // Nothing waiting: nothing to confirm.
    expect(await env.cli(['queues', 'purge', 'emails'])).toMatchObject({
      code: 0,
      stdout: 'purged 0 waiting tasks of queue emails\n',
    });
  });
});
