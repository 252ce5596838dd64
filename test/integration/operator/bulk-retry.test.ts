import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskRecord } from '../../../src/task.js';
import { drivers } from '../../support/databases.js';
import { startOperatorEnv, type OperatorEnv } from './support.js';

/**
 * The repository's bulk retry: batches of one compare-and-set statement each, the states read off
 * the machine, dedup keys respected, and the same filters as the search.
 */
describe.each(drivers())('bulk retry in the repository on %s', (driver) => {
  let env: OperatorEnv;
  beforeAll(async () => {
    env = await startOperatorEnv(driver);
  });
  afterAll(async () => env?.cleanup());

  const failedTask = async (queue: string, overrides: Parameters<OperatorEnv['seed']>[1] = {}) => {
    const task = await env.seed(queue, overrides);
    await env.settle(task, 'failed', 500);
    return task;
  };

  it('retries every matching failed task in batches, with a fresh budget and the history kept', async () => {
    const failed: TaskRecord[] = [];
    for (let i = 0; i < 5; i++) failed.push(await failedTask('emails', { path: `/batch/${i}` }));
    const cancelled = await env.seed('emails', { path: '/batch/cancelled' });
    await env.tasks.applyEvent(cancelled.id, { type: 'cancel' });
    const completed = await env.seed('emails', { path: '/batch/done' });
    await env.settle(completed, 'completed', 200);
    const otherQueue = await failedTask('reports', { path: '/batch/other' });

    const progress: number[] = [];
    const filter = { queue: 'emails', states: ['failed' as const], pathPrefix: '/batch/' };
    expect(await env.tasks.countTasks(filter)).toBe(5);
    const retried = await env.tasks.retryMatching(filter, { batchSize: 2, onBatch: (n) => progress.push(n) });
    expect(retried).toBe(5);
    expect(progress).toEqual([2, 4, 5]);
    for (const task of failed) {
      const now = await env.tasks.findTask(task.id);
      expect(now).toMatchObject({ state: 'available', attempt: 0, finalizedAt: null, firstAttemptAt: null });
      expect(now!.runAt.getTime()).toBeLessThanOrEqual(Date.now());
      expect(await env.tasks.findAttempts(task.id)).toHaveLength(1); // the failed attempt is still there
    }
    expect(await env.stateOf(cancelled.id)).toBe('cancelled'); // not in the filter's states
    expect(await env.stateOf(completed.id)).toBe('completed'); // never retryable
    expect(await env.stateOf(otherQueue.id)).toBe('failed'); // another queue
    expect(await env.tasks.retryMatching(filter)).toBe(0); // nothing left: the run ends
  });

  it('retries cancelled and failed together, and narrows by time and text', async () => {
    const old = await failedTask('reports', { path: '/mixed/old', body: Buffer.from('{"customer":"c-1"}') });
    const cancelled = await env.seed('reports', { path: '/mixed/cancelled', body: Buffer.from('{"customer":"c-1"}') });
    await env.tasks.applyEvent(cancelled.id, { type: 'cancel' });
    const unrelated = await failedTask('reports', { path: '/mixed/other', body: Buffer.from('{"customer":"c-2"}') });
    const states = ['failed' as const, 'cancelled' as const];
    expect(await env.tasks.retryMatching({ states, search: 'c-1', until: new Date(Date.now() - 3_600_000) })).toBe(0);
    expect(await env.tasks.retryMatching({ states, search: 'c-1', pathPrefix: '/mixed/' })).toBe(2);
    expect(await env.stateOf(old.id)).toBe('available');
    expect(await env.stateOf(cancelled.id)).toBe('available');
    expect(await env.stateOf(unrelated.id)).toBe('failed');
  });

  it('skips a task whose key an unfinished task holds, and retries only the newest of a key', async () => {
    const held = await failedTask('emails', { path: '/keys/held', key: 'k-held' });
    const holder = await env.seed('emails', {
      path: '/keys/holder',
      key: 'k-held',
      runAt: new Date(Date.now() + 600_000),
    });
    const older = await failedTask('emails', { path: '/keys/twin', key: 'k-twin' });
    const newer = await failedTask('emails', { path: '/keys/twin', key: 'k-twin' });
    const retried = await env.tasks.retryMatching({ states: ['failed'], pathPrefix: '/keys/' }, { batchSize: 1 });
    expect(retried).toBe(1);
    expect(await env.stateOf(held.id)).toBe('failed');
    expect(await env.stateOf(holder.id)).toBe('scheduled');
    expect(await env.stateOf(older.id)).toBe('failed');
    expect(await env.stateOf(newer.id)).toBe('available');
  });

  it('lets a newer twin in a state the filter leaves out not hold the key back', async () => {
    const older = await failedTask('emails', { path: '/twins/a', key: 'k-other-state' });
    const newer = await env.seed('emails', { path: '/twins/b', key: 'k-other-state' });
    await env.tasks.applyEvent(newer.id, { type: 'cancel' });
    // Only failed tasks are asked for: the cancelled twin is not retried, so the failed one may be.
    expect(await env.tasks.retryMatching({ states: ['failed'], pathPrefix: '/twins/' })).toBe(1);
    expect(await env.stateOf(older.id)).toBe('available');
    expect(await env.stateOf(newer.id)).toBe('cancelled');
  });

  it('never takes a state the machine does not retry from', async () => {
    const waiting = await env.seed('emails', { path: '/never/waiting' });
    expect(await env.tasks.retryMatching({ states: ['available', 'completed'], pathPrefix: '/never/' })).toBe(0);
    expect(await env.stateOf(waiting.id)).toBe('available');
  });
});
