import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCancelRunningRepository } from '../../../src/db/cancel-running.repository.js';
import { createDispatchRepository } from '../../../src/db/dispatch.repository.js';
import { drivers } from '../../support/databases.js';
import { startTestRecorder, type TestRecorder } from '../recorder/support.js';

/**
 * The lease of a task cancelled while running (spec 11.6, 8.2): it stays with its holder, so a
 * retry (one, or in bulk) is refused until the holder acknowledges or the lease expires, and the
 * rescuer leaves the cancelled row alone. The holder here is a scheduler that never answers: its
 * claims are made with the scheduler's own repository, and its acknowledgement is sent by hand.
 */
const OWNER = 'silent-scheduler';

describe.each(drivers())('the lease of a task cancelled while running on %s', (driver) => {
  let recorder: TestRecorder;
  beforeAll(async () => {
    recorder = await startTestRecorder(driver, {
      queues: Object.fromEntries(
        ['held-a', 'held-b', 'held-c'].map((queue) => [
          queue,
          { target: 'http://127.0.0.1:9/held', allowPrivateNetwork: true },
        ]),
      ),
    });
  });
  afterAll(async () => recorder.close());

  /** A task of its own (a queue per test), claimed by OWNER with a lease of `leaseMs`. */
  async function running(queue: string, leaseMs: number): Promise<string> {
    const created = await recorder.call('POST', `/v1/queues/${queue}/tasks`, { body: {} });
    const claimed = await createDispatchRepository(recorder.db).claim({
      queue,
      limit: 1,
      owner: OWNER,
      now: new Date(),
      leaseMs,
      maxConcurrent: 100,
    });
    expect(claimed.map((task) => task.id)).toEqual([created.body.id]);
    return created.body.id;
  }

  it('refuses a retry with 409 lease_held until the holder acknowledges, then retries', async () => {
    const id = await running('held-a', 600_000);
    const cancel = await recorder.call('POST', `/v1/tasks/${id}/cancel`);
    expect(cancel.status).toBe(200);
    expect(cancel.body).toMatchObject({ state: 'cancelled', lastError: expect.stringContaining('cancelled') });
    expect(await recorder.tasks.findTask(id)).toMatchObject({ leaseOwner: OWNER, leaseExpiresAt: expect.any(Date) });

    const refused = await recorder.call('POST', `/v1/tasks/${id}/retry`);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'lease_held', errors: [{ path: 'leaseExpiresAt' }] });
    // A second cancel is a cancel of a cancelled task: refused as before.
    expect((await recorder.call('POST', `/v1/tasks/${id}/cancel`)).body.code).toBe('invalid_transition');
    // The bulk retry leaves it too (the row matched, none retried).
    const bulk = await recorder.call('POST', '/v1/tasks/retry', { body: { ids: [id] } });
    expect(bulk.status).toBe(200);
    expect(bulk.body).toMatchObject({ matched: 1, retried: 0 });

    // Only the holder's acknowledgement lets go: another scheduler's changes nothing.
    const leases = createCancelRunningRepository(recorder.db);
    expect(await leases.acknowledge([id], 'another-scheduler', new Date())).toBe(0);
    expect(await leases.acknowledge([id], OWNER, new Date())).toBe(1);
    const retried = await recorder.call('POST', `/v1/tasks/${id}/retry`);
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ state: 'available', attempt: 0 });
    const attempts = (await recorder.call('GET', `/v1/tasks/${id}`)).body.attempts;
    expect(attempts).toEqual([expect.objectContaining({ number: 1, outcome: 'cancelled', status: null })]);
  });

  it('allows a retry once the lease has expired, and the rescuer leaves the cancelled row alone', async () => {
    const id = await running('held-b', 1);
    expect((await recorder.call('POST', `/v1/tasks/${id}/cancel`)).status).toBe(200);
    // The holder is dead and its lease ran out: nothing for the rescuer, which takes running rows only.
    const far = new Date(Date.now() + 3_600_000);
    const rescuable = await createDispatchRepository(recorder.db).findRescuable(far, far);
    expect(rescuable.map((task) => task.id)).not.toContain(id);
    expect((await recorder.tasks.findTask(id))?.state).toBe('cancelled');
    const retried = await recorder.call('POST', `/v1/tasks/${id}/retry`);
    expect(retried.status).toBe(200);
    expect(await recorder.tasks.findTask(id)).toMatchObject({ state: 'available', leaseOwner: null });
  });

  it('cancels waiting tasks in bulk but leaves running ones to the single cancel', async () => {
    const id = await running('held-c', 600_000);
    const bulk = await recorder.call('POST', '/v1/tasks/cancel', { body: { ids: [id] } });
    expect(bulk.status).toBe(200);
    expect(bulk.body).toEqual({ matched: 0, cancelled: 0 });
    expect((await recorder.tasks.findTask(id))?.state).toBe('running');
  });
});
