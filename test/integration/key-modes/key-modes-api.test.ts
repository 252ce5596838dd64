import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDispatchRepository } from '../../../src/db/dispatch.repository.js';
import { batchResponse, taskResource } from '../../../src/recorder/schemas/resource.schema.js';
import { drivers } from '../../support/databases.js';
import { QUEUES, startTestRecorder, type TestRecorder } from '../recorder/support.js';

/**
 * keyMode through the API (docs/spec.md 11.2): what each mode does to the key's holder, which
 * holders it may change (never delivered only), keyMaxWait's bound, and the batch's answers.
 */
describe.each(drivers())('key modes on %s', (driver) => {
  let recorder: TestRecorder;
  beforeAll(async () => {
    recorder = await startTestRecorder(driver, {
      queues: { ...QUEUES, ops: { target: 'http://127.0.0.1:9/ops', allowPrivateNetwork: true } },
    });
  });
  afterAll(async () => recorder.close());

  const create = (body: Record<string, unknown>, queue = 'emails') =>
    recorder.call('POST', `/v1/queues/${queue}/tasks`, { body });
  const seconds = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / 1000;

  it('keep answers the holder untouched, with Dispatchr-Deduplicated: kept', async () => {
    const first = await create({ key: 'keep-1', body: { n: 1 }, delay: '1h' });
    const second = await create({ key: 'keep-1', keyMode: 'keep', body: { n: 2 }, delay: '5m' });
    expect([first.status, second.status]).toEqual([201, 200]);
    expect(second.headers['dispatchr-deduplicated']).toBe('kept');
    expect(taskResource.parse(second.body)).toMatchObject({ id: first.body.id, body: { n: 1 }, keyMode: 'keep' });
    expect(second.body.runAt).toBe(first.body.runAt);
  });

  it('replace rewrites the holder request and due time, keeping its id and creation', async () => {
    const first = await create({ key: 'rep-1', keyMode: 'replace', path: '/a', body: { n: 1 }, delay: '1h' });
    expect(first.body).toMatchObject({ state: 'scheduled', keyMode: 'replace' });
    const second = await create({
      key: 'rep-1',
      keyMode: 'replace',
      path: '/b',
      method: 'PUT',
      headers: { 'x-v': '2' },
      body: { n: 2 },
    });
    expect(second.status).toBe(200);
    expect(second.headers['dispatchr-deduplicated']).toBe('replaced');
    expect(second.body).toMatchObject({ id: first.body.id, state: 'available', path: '/b', method: 'PUT' });
    const stored = await recorder.tasks.findTask(first.body.id);
    expect(stored).toMatchObject({ state: 'available', path: '/b', method: 'PUT', headers: { 'x-v': '2' } });
    expect(stored!.body!.toString()).toBe('{"n":2}');
    expect(stored!.createdAt.toISOString()).toBe(first.body.createdAt);
    expect(await recorder.count('emails')).toBe(await countKey('rep-1', 1));
  });

  it('debounce keeps the body and moves the due time only later, never past keyMaxWait', async () => {
    const first = await create({ key: 'deb-1', keyMode: 'debounce', keyMaxWait: '10m', body: { n: 1 }, delay: '2m' });
    expect(first.body.keyDeadline).toBe(new Date(Date.parse(first.body.createdAt) + 600_000).toISOString());
    // An earlier time does not bring it forward.
    const sooner = await create({ key: 'deb-1', keyMode: 'debounce', body: { n: 2 }, delay: '30s' });
    expect(sooner.headers['dispatchr-deduplicated']).toBe('debounced');
    expect(sooner.body).toMatchObject({ id: first.body.id, runAt: first.body.runAt, body: { n: 1 } });
    const later = await create({ key: 'deb-1', keyMode: 'debounce', body: { n: 3 }, delay: '5m' });
    expect(seconds(first.body.createdAt, later.body.runAt)).toBeGreaterThanOrEqual(300);
    expect(seconds(first.body.createdAt, later.body.runAt)).toBeLessThan(310);
    expect(later.body.body).toEqual({ n: 1 });
    // The cap: created_at + 10 minutes, however far a create asks.
    const far = await create({ key: 'deb-1', keyMode: 'debounce', delay: '1h' });
    expect(far.body.runAt).toBe(first.body.keyDeadline);
    expect(far.body.state).toBe('scheduled');
  });

  it("caps a debounce by the create's own keyMaxWait when the holder has none", async () => {
    const first = await create({ key: 'deb-2', keyMode: 'debounce' });
    expect(first.body).toMatchObject({ state: 'available', keyDeadline: null });
    const next = await create({ key: 'deb-2', keyMode: 'debounce', keyMaxWait: '90s', delay: '1h' });
    expect(next.headers['dispatchr-deduplicated']).toBe('debounced');
    expect(next.body.state).toBe('scheduled');
    expect(seconds(first.body.createdAt, next.body.runAt)).toBe(90);
  });

  it('replace and debounce keep a holder that was delivered: running, retrying, or retried by hand', async () => {
    const running = await create({ key: 'run-1', keyMode: 'replace', body: { n: 1 } }, 'ops');
    const [claimed] = await claim('ops');
    expect(claimed.id).toBe(running.body.id);
    for (const keyMode of ['replace', 'debounce']) {
      const reply = await create({ key: 'run-1', keyMode, body: { n: 2 }, delay: '1h' }, 'ops');
      expect(reply.status).toBe(200);
      expect(reply.headers['dispatchr-deduplicated']).toBe('kept');
      expect(reply.body).toMatchObject({ id: running.body.id, state: 'running', body: { n: 1 } });
    }
    // Failed and retried by hand: attempt 0 again, due now, but its target has seen it.
    await fail(claimed.id, claimed.attemptedAt!);
    const retried = await recorder.call('POST', `/v1/tasks/${claimed.id}/retry`);
    expect(retried.body).toMatchObject({ state: 'available', attempt: 0 });
    const again = await create({ key: 'run-1', keyMode: 'replace', body: { n: 3 } }, 'ops');
    expect(again.headers['dispatchr-deduplicated']).toBe('kept');
    expect(again.body.body).toEqual({ n: 1 });
  });

  it('answers each batch item false, kept, replaced or debounced, in request order', async () => {
    await create({ key: 'b-keep' });
    await create({ key: 'b-rep', keyMode: 'replace', body: { n: 1 } });
    await create({ key: 'b-deb', keyMode: 'debounce', delay: '1m' });
    const reply = await recorder.call('POST', '/v1/queues/emails/tasks/batch', {
      body: {
        tasks: [
          { key: 'b-deb', keyMode: 'debounce', delay: '2m' },
          { key: 'b-new', keyMode: 'replace' },
          { key: 'b-rep', keyMode: 'replace', body: { n: 2 } },
          { key: 'b-keep', keyMode: 'replace' },
          { key: 'b-new', keyMode: 'replace', body: { n: 3 } },
        ],
      },
    });
    expect(reply.status).toBe(201);
    const { tasks } = batchResponse.parse(reply.body);
    expect(tasks.map((task) => task.deduplicated)).toEqual(['debounced', false, 'replaced', 'replaced', 'replaced']);
    expect(tasks[4].id).toBe(tasks[1].id); // the batch's own second create of b-new replaced its first
    expect((await recorder.tasks.findTask(tasks[4].id))!.body!.toString()).toBe('{"n":3}');
  });

  it("writes a batch's items of one key in request order, whatever their modes", async () => {
    const reply = await recorder.call('POST', '/v1/queues/emails/tasks/batch', {
      body: {
        tasks: [
          { key: 'mix-1', keyMode: 'replace', body: { n: 1 } },
          { key: 'mix-1', body: { n: 2 } },
          { key: 'mix-1', keyMode: 'debounce', delay: '1m' },
        ],
      },
    });
    expect(reply.body.tasks.map((t: { deduplicated: unknown }) => t.deduplicated)).toEqual([
      false,
      'kept',
      'debounced',
    ]);
    const stored = await recorder.tasks.findTask(reply.body.tasks[0].id);
    expect(stored!.body!.toString()).toBe('{"n":1}');
    expect(stored!.state).toBe('scheduled');
  });

  it('refuses key options without a key, keyMaxWait without debounce, and out-of-range durations', async () => {
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ keyMode: 'replace' }, 'keyMode', /needs a key/],
      [{ keyRetention: '1m' }, 'keyRetention', /needs a key/],
      [{ key: 'x', keyMaxWait: '1m' }, 'keyMaxWait', /debounce/],
      [{ key: 'x', keyMode: 'merge' }, 'keyMode', /keep, replace, debounce/],
      [{ key: 'x', keyRetention: '8d' }, 'keyRetention', /at most 7 days/],
      [{ key: 'x', keyRetention: 0 }, 'keyRetention', /greater than 0/],
      [{ key: 'x', keyMode: 'debounce', keyMaxWait: '367d' }, 'keyMaxWait', /one year/],
    ];
    for (const [body, path, message] of cases) {
      const reply = await create(body);
      expect(reply.status, JSON.stringify(body)).toBe(400);
      const error = reply.body.errors.find((e: { path: string }) => e.path === path);
      expect(error?.message, JSON.stringify(reply.body.errors)).toMatch(message);
    }
  });

  async function countKey(key: string, expected: number): Promise<number> {
    const rows = await recorder.db.sql.query(`select id from dispatchr_task where dedup_key = '${key}'`);
    expect(rows).toHaveLength(expected);
    return recorder.count('emails');
  }

  function claim(queue: string) {
    return createDispatchRepository(recorder.db).claim({
      queue,
      limit: 10,
      owner: 'test-scheduler',
      now: new Date(),
      leaseMs: 60_000,
      maxConcurrent: 10,
    });
  }

  async function fail(taskId: string, startedAt: Date) {
    const settled = await createDispatchRepository(recorder.db).settle(
      [
        {
          taskId,
          attempt: 1,
          owner: 'test-scheduler',
          state: 'failed',
          nextAttempt: 1,
          runAt: null,
          lastStatus: 400,
          lastError: 'HTTP 400',
          record: {
            startedAt,
            finishedAt: new Date(),
            status: 400,
            outcome: 'failed',
            durationMs: 5,
            error: 'HTTP 400',
            responseExcerpt: null,
          },
        },
      ],
      new Date(),
    );
    expect(settled.has(taskId)).toBe(true);
  }
});
