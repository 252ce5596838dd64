import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DispatchrApiError, DispatchrClient } from '../../../src/client/index.js';
import { createCancelRunningRepository } from '../../../src/db/cancel-running.repository.js';
import { createDispatchRepository } from '../../../src/db/dispatch.repository.js';
import type { Orm } from '../../../src/db/orm.js';
import { drivers } from '../../support/databases.js';
import { json, startOperatorEnv, type OperatorEnv } from '../operator/support.js';
import { startTestRecorder, type TestRecorder } from '../recorder/support.js';

/**
 * Cancelling a running task from `dispatchr tasks cancel` and from DispatchrClient (spec 11.6): the
 * task is held by a scheduler that never answers (claimed with the scheduler's own repository), so
 * the lease stays until the test acknowledges for it, and a retry meanwhile is refused.
 */
vi.setConfig({ testTimeout: 120_000 });
const OWNER = 'silent-scheduler';

async function claimOne(db: Orm, queue: string): Promise<void> {
  const claimed = await createDispatchRepository(db).claim({
    queue,
    limit: 1,
    owner: OWNER,
    now: new Date(),
    leaseMs: 600_000,
    maxConcurrent: 100,
  });
  expect(claimed).toHaveLength(1);
}

describe.each(drivers())('cancelling a running task from the CLI and the client on %s', (driver) => {
  let env: OperatorEnv;
  let recorder: TestRecorder;
  beforeAll(async () => {
    [env, recorder] = await Promise.all([startOperatorEnv(driver), startTestRecorder(driver)]);
  });
  afterAll(async () => {
    await Promise.all([env?.cleanup(), recorder?.close()]);
  });

  it('dispatchr tasks cancel: a running task is cancelled; a retry exits 1 until the holder lets go', async () => {
    const task = await env.seed('emails', { path: '/long' });
    await claimOne(env.db, 'emails');
    const cancelled = json(await env.cli(['tasks', 'cancel', task.id, '--json']));
    expect(cancelled).toMatchObject({ id: task.id, state: 'cancelled', attempt: 1 });
    const refused = await env.cli(['tasks', 'retry', task.id]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/^error: task \S+ was cancelled while running and its scheduler has not yet let go/);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(await createCancelRunningRepository(env.db).acknowledge([task.id], OWNER, new Date())).toBe(1);
    expect(json(await env.cli(['tasks', 'retry', task.id, '--json']))).toMatchObject({ state: 'available' });
  });

  it('DispatchrClient.cancel on a running task, and retry refused as lease_held', async () => {
    const client = new DispatchrClient({ url: recorder.url, retryDelayMs: 10 });
    const created = await client.enqueue('emails', { path: '/long' });
    await claimOne(recorder.db, 'emails');
    expect((await client.get(created.id)).state).toBe('running');
    const cancelled = await client.cancel(created.id);
    expect(cancelled).toMatchObject({ id: created.id, state: 'cancelled' });
    const refused = await client.retry(created.id).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DispatchrApiError);
    expect(refused).toMatchObject({ code: 'lease_held', status: 409 });
    const shown = await client.get(created.id);
    expect(shown.attempts?.map((attempt) => attempt.outcome)).toEqual(['cancelled']);
  });
});
