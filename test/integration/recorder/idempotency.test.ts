import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drivers } from '../../support/databases.js';
import { waitFor } from '../../support/target-server.js';
import { startTestRecorder, TOKEN, type Reply, type TestRecorder } from './support.js';

/**
 * Idempotency-Key: a retried create answers the first response again (in the basic view) and
 * creates nothing more, even when the retries race; the same key with another body is refused;
 * keys are per token + queue.
 */
const OTHER_TOKEN = 'other-token-0123456789abcdef';

/** The first answer as a replay gives it (spec §4.4): the basic view, without headers and body. */
function basicOf(task: Record<string, unknown>): Record<string, unknown> {
  const { headers: _headers, body: _body, bodyBase64: _bodyBase64, ...basic } = task;
  return basic;
}

describe.each(drivers())('Idempotency-Key on %s', (driver) => {
  let recorder: TestRecorder;
  beforeAll(async () => {
    recorder = await startTestRecorder(driver, { recorder: { tokens: [TOKEN, OTHER_TOKEN] } }, { defaultToken: TOKEN });
  });
  afterAll(async () => recorder.close());

  const create = (key: string, body: unknown, options: { queue?: string; token?: string } = {}) =>
    recorder.call('POST', `/v1/queues/${options.queue ?? 'emails'}/tasks`, {
      body,
      headers: { 'Idempotency-Key': key },
      ...(options.token ? { token: options.token } : {}),
    });

  it('replays the first response (status, and the task in the basic view) and creates one task', async () => {
    const before = await recorder.count();
    const first = await create('k-1', { path: '/a', headers: { 'x-a': '1' }, body: { n: 1 } });
    const again = await create('k-1', { path: '/a', headers: { 'x-a': '1' }, body: { n: 1 } });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ headers: { 'x-a': '1' }, body: { n: 1 } });
    expect(again.status).toBe(201);
    expect(again.body).toEqual(basicOf(first.body));
    expect(again.body).not.toHaveProperty('body');
    expect(again.body).not.toHaveProperty('headers');
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(again.headers.location).toBe(first.headers.location);
    expect(await recorder.count()).toBe(before + 1);
  });

  it('replays the first answer even after the task changed (it is the answer, not the task)', async () => {
    const first = await create('k-2', { path: '/b' });
    await recorder.call('POST', `/v1/tasks/${first.body.id}/cancel`);
    const again = await create('k-2', { path: '/b' });
    expect(again.body).toEqual(basicOf(first.body));
    expect(again.body.state).toBe('available');
  });

  it('refuses the same key with a different body with 422, and writes nothing', async () => {
    await create('k-3', { path: '/c' });
    const before = await recorder.count();
    const reused = await create('k-3', { path: '/different' });
    expect(reused.status).toBe(422);
    expect(reused.body).toMatchObject({ code: 'idempotency_key_reused', errors: [{ path: 'Idempotency-Key' }] });
    expect(await recorder.count()).toBe(before);
  });

  it('makes one task from 20 concurrent requests with one key, all answered alike', async () => {
    const before = await recorder.count();
    const replies = await Promise.all(Array.from({ length: 20 }, () => create('k-race', { path: '/race' })));
    expect(replies.map((r) => r.status)).toEqual(Array(20).fill(201));
    expect(new Set(replies.map((r) => r.body.id)).size).toBe(1);
    expect(await recorder.count()).toBe(before + 1);
  });

  it('scopes keys per token and per queue', async () => {
    const before = await recorder.count();
    const mine = await create('k-scope', { path: '/s' });
    const otherQueue = await create('k-scope', { path: '/s' }, { queue: 'reports' });
    const otherToken = await create('k-scope', { path: '/s' }, { token: OTHER_TOKEN });
    expect(new Set([mine.body.id, otherQueue.body.id, otherToken.body.id]).size).toBe(3);
    expect(await recorder.count()).toBe(before + 3);
  });

  it('replays a de-duplicated answer with its 200 and header', async () => {
    await recorder.call('POST', '/v1/queues/emails/tasks', { body: { key: 'held' } });
    const first = await create('k-dedup', { key: 'held' });
    const again = await create('k-dedup', { key: 'held' });
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(again.headers['dispatchr-deduplicated']).toBe('kept');
  });

  it('works for batches, and refuses a malformed key', async () => {
    const body = { tasks: [{ path: '/1' }, { path: '/2' }] };
    const before = await recorder.count();
    const first = await recorder.call('POST', '/v1/queues/emails/tasks/batch', {
      body,
      headers: { 'Idempotency-Key': 'batch-1' },
    });
    const again = await recorder.call('POST', '/v1/queues/emails/tasks/batch', {
      body,
      headers: { 'Idempotency-Key': 'batch-1' },
    });
    expect(again.text).toBe(first.text);
    expect(await recorder.count()).toBe(before + 2);
    const bad = await create('x'.repeat(256), {});
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('Idempotency-Key');
  });

  it.runIf(driver === 'postgresql')(
    'answers 409 idempotency_key_in_use when another request took the key meanwhile and its answer cannot be replayed; writes nothing',
    async () => {
      // The race: this create finds no record, then another request's record for the key commits
      // first, and by then that record's window has passed (its expires_at is behind us), so there
      // is nothing to replay. Not `conflict`, which means a task changed (spec §4.12).
      await create('k-probe', { path: '/probe' });
      const [{ scope }] = await recorder.db.sql.query<{ scope: string }>(
        `select scope from dispatchr_idempotency_key where key = 'k-probe'`,
      );
      const before = await recorder.count();
      let reply: Promise<Reply> | undefined;
      await recorder.db.sql.transaction(async (tx) => {
        await tx.execute(
          `insert into dispatchr_idempotency_key (scope, key, request_hash, status, response, created_at, expires_at)
         values ($1, 'k-held', 'another request', 201, '{}', now() - interval '2 days', now() - interval '1 day')`,
          [scope],
        );
        const [{ pid }] = await tx.query<{ pid: number }>('select pg_backend_pid() as pid');
        reply = create('k-held', { path: '/held' });
        // It waits on this transaction's insert of the key (seen by PostgreSQL, not guessed from a sleep).
        await waitFor(
          async () =>
            (await recorder.db.sql.query('select 1 from pg_stat_activity where $1 = any(pg_blocking_pids(pid))', [pid]))
              .length > 0 || undefined,
          5_000,
          'the create to wait for the key',
        );
      });
      const answered = await reply!;
      expect(answered.status).toBe(409);
      expect(answered.body).toMatchObject({
        code: 'idempotency_key_in_use',
        status: 409,
        detail: expect.stringContaining('retry'),
      });
      expect(await recorder.count()).toBe(before);
      // The retry it asks for succeeds: the expired record makes way.
      const retried = await create('k-held', { path: '/held' });
      expect(retried.status).toBe(201);
      expect(await recorder.count()).toBe(before + 1);
    },
  );
});
