import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../../src/ids.js';
import { sourcesOf } from '../../../src/machines/transition-table.js';
import {
  bulkCancelResponse,
  bulkRetryResponse,
  CANCEL_STATES,
  RETRY_STATES,
} from '../../../src/recorder/schemas/search.schema.js';
import { drivers } from '../../support/databases.js';
import { claimAll, settleAs } from './dashboard-support.js';
import { startTestRecorder, TOKEN, type TestRecorder } from './support.js';

/**
 * POST /v1/tasks/cancel, and the `ids` filter of both bulk actions: what a person picked in a
 * list, counted by a dry run before anything changes (spec 4.9). Every refused call changes nothing.
 */
const READER = 'read-token-0123456789abcdef';
const ENQUEUER = 'enqueue-token-0123456789abcdef';
const REPORTS_ADMIN = 'reports-admin-token-0123456789';

describe.each(drivers())('bulk cancel and ids on %s', (driver) => {
  let recorder: TestRecorder;
  beforeAll(async () => {
    recorder = await startTestRecorder(
      driver,
      {
        recorder: {
          tokens: [
            TOKEN,
            { token: READER, role: 'read' },
            { token: ENQUEUER, role: 'enqueue' },
            { token: REPORTS_ADMIN, queues: ['reports'] },
          ],
        },
      },
      { defaultToken: TOKEN },
    );
  });
  afterAll(async () => recorder?.close());

  const create = async (queue: string, body: Record<string, unknown> = {}): Promise<string> =>
    (await recorder.call('POST', `/v1/queues/${queue}/tasks`, { body: { path: '/bulk', ...body } })).body.id;
  const stateOf = async (id: string) => (await recorder.call('GET', `/v1/tasks/${id}`)).body.state;
  const states = (ids: string[]) => Promise.all(ids.map(stateOf));
  const cancel = (body: unknown, token = TOKEN) => recorder.call('POST', '/v1/tasks/cancel', { body, token });

  it('starts from the states the machine cancels and retries from', () => {
    expect([...CANCEL_STATES]).toEqual(sourcesOf('cancel'));
    expect([...RETRY_STATES]).toEqual(sourcesOf('retry'));
  });

  it('cancels the waiting tasks picked by id, after a dry run that counts them', async () => {
    const emails = [await create('emails'), await create('emails'), await create('emails', { delay: '1h' })];
    const reports = [await create('reports'), await create('reports')];
    const picked = [emails[0], emails[2], reports[0]];

    const dry = await cancel({ ids: picked, dryRun: true });
    expect(dry.status, dry.text).toBe(200);
    expect(bulkCancelResponse.parse(dry.body)).toEqual({ matched: 3, cancelled: 0 });
    expect(await states(picked)).toEqual(['available', 'scheduled', 'available']);

    // Upper case and repeated ids name the same tasks.
    const done = await cancel({ ids: [...picked.map((id) => id.toUpperCase()), picked[0]] });
    expect(done.body).toEqual({ matched: 3, cancelled: 3 });
    expect(await states(picked)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    expect(await states([emails[1], reports[1]])).toEqual(['available', 'available']);
    expect((await recorder.call('GET', `/v1/tasks/${picked[0]}`)).body.finalizedAt).not.toBeNull();
    // Already cancelled: nothing matches any more.
    expect((await cancel({ ids: picked })).body).toEqual({ matched: 0, cancelled: 0 });
    await cancel({ state: 'available' }); // leave no waiting task to the next test
  });

  it('cancels by filter, narrowed by every field given, and leaves running and finished tasks', async () => {
    const waiting = [await create('emails', { path: '/filter/a' }), await create('emails', { path: '/filter/b' })];
    const later = await create('emails', { path: '/filter/c', delay: '1h' });
    const other = await create('reports', { path: '/filter/d' });
    const running = (await claimAll(recorder.db, 'reports', 'sched', new Date()))[0];
    expect(running.id).toBe(other);

    expect((await cancel({ state: 'available', path: '/filter/', dryRun: true })).body).toEqual({
      matched: 2,
      cancelled: 0,
    });
    expect((await cancel({ state: ['available', 'scheduled'], queue: 'emails', path: '/filter/a' })).body).toEqual({
      matched: 1,
      cancelled: 1,
    });
    // Ids and a state: both must hold. A running task is never a match.
    expect((await cancel({ ids: [waiting[1], later, other], state: 'scheduled' })).body).toEqual({
      matched: 1,
      cancelled: 1,
    });
    expect((await cancel({ ids: [other] })).body).toEqual({ matched: 0, cancelled: 0 });
    expect(await states([...waiting, later, other])).toEqual(['cancelled', 'available', 'cancelled', 'running']);
    await settleAs(recorder.db, [running], 'sched', {
      state: 'completed',
      outcome: 'completed',
      status: 200,
      error: null,
      at: new Date(),
    });
    await cancel({ ids: [waiting[1]] });
  });

  it('cancels in batches, each task once', async () => {
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push(await create('reports', { path: '/batch' }));
    const progress: number[] = [];
    const cancelled = await recorder.tasks.cancelMatching(
      { queue: 'reports', states: [...CANCEL_STATES], pathPrefix: '/batch' },
      { batchSize: 2, onBatch: (n) => progress.push(n) },
    );
    expect(cancelled).toBe(5);
    expect(progress).toEqual([2, 4, 5]);
    expect(await states(ids)).toEqual(Array(5).fill('cancelled'));
  });

  it('retries the finished tasks picked by id; the state narrows them when given', async () => {
    const a = await create('emails', { path: '/retry-ids' });
    const b = await create('emails', { path: '/retry-ids' });
    const waiting = await create('emails', { path: '/retry-ids', delay: '1h' });
    await cancel({ ids: [a, b] });
    const retry = (body: unknown, token = TOKEN) => recorder.call('POST', '/v1/tasks/retry', { body, token });

    expect(bulkRetryResponse.parse((await retry({ ids: [a, b, waiting], dryRun: true })).body)).toEqual({
      matched: 2,
      retried: 0,
    });
    expect((await retry({ ids: [a, b], state: 'failed' })).body).toEqual({ matched: 0, retried: 0 });
    expect((await retry({ ids: [a] })).body).toEqual({ matched: 1, retried: 1 });
    expect(await states([a, b, waiting])).toEqual(['available', 'cancelled', 'scheduled']);
    // Without ids, the filter alone, as before.
    expect((await retry({ state: 'cancelled', path: '/retry-ids' })).body).toEqual({ matched: 1, retried: 1 });
    expect(await states([a, b, waiting])).toEqual(['available', 'available', 'scheduled']);
    await cancel({ ids: [a, b, waiting] });
  });

  it('reaches only the tasks of the queues a scoped token may use', async () => {
    const email = await create('emails');
    const report = await create('reports');
    expect((await cancel({ ids: [email, report] }, REPORTS_ADMIN)).body).toEqual({ matched: 1, cancelled: 1 });
    expect(await states([email, report])).toEqual(['available', 'cancelled']);
    expect((await cancel({ state: 'available', queue: 'emails' }, REPORTS_ADMIN)).status).toBe(403);
    expect((await cancel({ ids: [email] })).body.cancelled).toBe(1);
  });

  it('refuses bad bodies and weaker roles, naming the field, changing nothing', async () => {
    const id = await create('emails');
    const over = Array.from({ length: 1001 }, () => uuidv7());
    const cases: [unknown, string][] = [
      [{}, 'state'],
      [{ dryRun: true }, 'state'],
      [{ state: 'failed' }, 'state'],
      [{ state: [] }, 'state'],
      [{ ids: [] }, 'ids'],
      [{ ids: over }, 'ids'],
      [{ ids: [id, 'not-a-uuid'] }, 'ids.1'],
      [{ ids: [42] }, 'ids.0'],
      [{ ids: id }, 'ids'],
      [{ ids: [id], color: 'red' }, 'color'],
      [{ ids: [id], since: 'yesterday' }, 'since'],
    ];
    for (const [body, path] of cases) {
      const reply = await cancel(body);
      expect(reply.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(reply.body.code).toBe('validation_failed');
      expect(reply.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    }
    const tooMany = await cancel({ ids: over });
    expect(tooMany.body.errors[0].message).toContain('at most 1000');
    const retryOver = await recorder.call('POST', '/v1/tasks/retry', { body: { ids: over } });
    expect(retryOver.status).toBe(400);
    expect(retryOver.body.errors[0].path).toBe('ids');
    expect((await recorder.call('POST', '/v1/tasks/retry', { body: { ids: ['x'] } })).body.errors[0].path).toBe(
      'ids.0',
    );

    for (const token of [READER, ENQUEUER]) {
      const refused = await cancel({ ids: [id] }, token);
      expect(refused.status).toBe(403);
      expect(refused.body.code).toBe('forbidden');
      expect((await cancel({ ids: [id], dryRun: true }, token)).status).toBe(403);
    }
    expect((await cancel({ state: 'available', queue: 'nope' })).body.code).toBe('queue_not_found');
    expect(await stateOf(id)).toBe('available');
  });
});
