import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../src/clock.js';
import { createDispatchRepository } from '../../../src/db/dispatch.repository.js';
import { createIdempotencyRepository } from '../../../src/db/idempotency.repository.js';
import { silentLogger } from '../../../src/logger.js';
import { createRetention } from '../../../src/scheduler/retention.js';
import { taskResource } from '../../../src/recorder/schemas/resource.schema.js';
import { drivers } from '../../support/databases.js';
import { startTestRecorder, type TestRecorder } from '../recorder/support.js';

/**
 * keyRetention (the key stays reserved after its holder finishes, then is released by the create
 * that finds it expired) and the key routes, GET /v1/queues/{q}/keys/{key} and its cancel. The
 * recorder runs on a stepped clock: finishing and expiry are times this test sets.
 */
describe.each(drivers())('key retention and key routes on %s', (driver) => {
  let recorder: TestRecorder;
  const clock = fixedClock('2026-03-01T12:00:00Z');
  beforeAll(async () => {
    recorder = await startTestRecorder(driver, {}, { clock });
  });
  afterAll(async () => recorder.close());

  const create = (body: Record<string, unknown>) => recorder.call('POST', '/v1/queues/emails/tasks', { body });
  const byKey = (key: string, action = '') =>
    recorder.call(action ? 'POST' : 'GET', `/v1/queues/emails/keys/${encodeURIComponent(key)}${action}`);

  it('keeps a finished holder reserved for keyRetention, then releases it to the next create', async () => {
    const first = await create({ key: 'ret-1', keyRetention: '10m', body: { n: 1 } });
    expect(first.body).toMatchObject({ keyMode: 'keep', keyRetentionMs: 600_000 });
    expect((await recorder.call('POST', `/v1/tasks/${first.body.id}/cancel`)).body.state).toBe('cancelled');

    clock.advance(9 * 60_000);
    const within = await create({ key: 'ret-1', keyMode: 'replace', body: { n: 2 } });
    expect(within.status).toBe(200);
    expect(within.headers['dispatchr-deduplicated']).toBe('kept');
    expect(within.body).toMatchObject({ id: first.body.id, state: 'cancelled', body: { n: 1 } });

    clock.advance(60_000); // finalized_at + 10 minutes: the reservation is over
    const after = await create({ key: 'ret-1', body: { n: 3 } });
    expect(after.status).toBe(201);
    expect(after.body.id).not.toBe(first.body.id);
    // The old holder is out of the key's index for good: the new task alone holds it.
    const again = await create({ key: 'ret-1' });
    expect(again.body.id).toBe(after.body.id);
  });

  it('releases a key at once without keyRetention, and never lets a retried old holder share it', async () => {
    const first = await create({ key: 'ret-2' });
    await recorder.call('POST', `/v1/tasks/${first.body.id}/cancel`);
    const second = await create({ key: 'ret-2' });
    expect(second.status).toBe(201);
    // Retrying the first would make two unfinished holders: refused.
    const retry = await recorder.call('POST', `/v1/tasks/${first.body.id}/retry`);
    expect(retry.status).toBe(409);
    expect(retry.body.code).toBe('duplicate_key');
  });

  it('refuses to retry another task into a key a finished holder still reserves', async () => {
    const old = await create({ key: 'ret-3' });
    await recorder.call('POST', `/v1/tasks/${old.body.id}/cancel`);
    const holder = await create({ key: 'ret-3', keyRetention: '1h' });
    await recorder.call('POST', `/v1/tasks/${holder.body.id}/cancel`);
    expect((await recorder.call('POST', `/v1/tasks/${old.body.id}/retry`)).status).toBe(409);
    // The holder itself may be retried: it holds the key already.
    expect((await recorder.call('POST', `/v1/tasks/${holder.body.id}/retry`)).body.state).toBe('available');
  });

  it('bulk retry skips a task whose key a finished holder still reserves, and retries the holder', async () => {
    const inReports = (body: Record<string, unknown>) => recorder.call('POST', '/v1/queues/reports/tasks', { body });
    const old = await inReports({ key: 'bulk-1' });
    await recorder.call('POST', `/v1/tasks/${old.body.id}/cancel`);
    const holder = await inReports({ key: 'bulk-1', keyRetention: '1h' });
    await recorder.call('POST', `/v1/tasks/${holder.body.id}/cancel`);
    const reply = await recorder.call('POST', '/v1/tasks/retry', { body: { state: 'cancelled', queue: 'reports' } });
    expect(reply.status).toBe(200);
    expect(reply.body.retried).toBe(1);
    expect((await recorder.tasks.findTask(holder.body.id))?.state).toBe('available');
    expect((await recorder.tasks.findTask(old.body.id))?.state).toBe('cancelled');
  });

  it('the retention loop releases keys past their keyRetention, oldest first, and only those', async () => {
    const old = await create({ key: 'loop-1' });
    await recorder.call('POST', `/v1/tasks/${old.body.id}/cancel`);
    const holder = await create({ key: 'loop-1', keyRetention: '10m' });
    const later = await create({ key: 'loop-2', keyRetention: '1h' });
    for (const task of [holder, later]) await recorder.call('POST', `/v1/tasks/${task.body.id}/cancel`);
    const retention = createRetention({
      config: recorder.config,
      repository: createDispatchRepository(recorder.db),
      idempotency: createIdempotencyRepository(recorder.db, clock),
      clock,
      logger: silentLogger,
    });
    clock.advance(10 * 60_000 - 1);
    await retention.runOnce();
    expect((await recorder.call('POST', `/v1/tasks/${old.body.id}/retry`)).status).toBe(409); // still reserved
    clock.advance(1);
    await retention.runOnce();
    const released = await recorder.db.sql.query(
      `select dedup_key from dispatchr_task where key_retention_ms is not null and key_released ${driver === 'sqlite' ? '= 1' : ''} order by dedup_key`,
    );
    expect(released.map((row) => row.dedup_key)).toContain('loop-1');
    expect(released.map((row) => row.dedup_key)).not.toContain('loop-2');
    // Released: the old task may be retried now, and holds the key while unfinished.
    expect((await recorder.call('POST', `/v1/tasks/${old.body.id}/retry`)).body.state).toBe('available');
    expect((await create({ key: 'loop-1' })).body.id).toBe(old.body.id);
  });

  it('finds the unfinished holder of a key, and not a finished one', async () => {
    const task = await create({ key: 'find/me ü', keyRetention: '1h', body: { n: 1 } });
    const found = await byKey('find/me ü');
    expect(found.status).toBe(200);
    expect(taskResource.parse(found.body)).toMatchObject({ id: task.body.id, key: 'find/me ü', body: { n: 1 } });

    const cancelled = await byKey('find/me ü', '/cancel');
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ id: task.body.id, state: 'cancelled' });
    // Finished (though still reserving the key): neither found nor cancelled again.
    for (const reply of [await byKey('find/me ü'), await byKey('find/me ü', '/cancel')]) {
      expect(reply.status).toBe(404);
      expect(reply.body).toMatchObject({ code: 'task_not_found' });
      expect(reply.body.detail).toContain('find/me ü');
    }
  });

  it('answers 404 for an unknown key or queue', async () => {
    expect((await byKey('nobody')).status).toBe(404);
    const unknownQueue = await recorder.call('GET', '/v1/queues/nope/keys/x');
    expect(unknownQueue.status).toBe(404);
    expect(unknownQueue.body.code).toBe('queue_not_found');
  });
});
