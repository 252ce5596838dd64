import { describe, expect, it } from 'vitest';
import type { CreateResult } from '../../../src/db/task.repository.js';
import { createCreateBatcher } from '../../../src/recorder/create-batcher.js';
import type { NewTask } from '../../../src/task.js';
import { newTask } from '../../support/new-task.js';

/**
 * createCreateBatcher({ insert }): creates of one event-loop turn share one insert, each caller
 * gets its own result, and one failing row does not fail its neighbours. `insert` here is a plain
 * function standing in for the repository; the integration suites run the real one.
 */
const task = (path: string): NewTask => newTask('q', { path, runAt: new Date(0) });
const result = (t: NewTask): CreateResult => ({
  task: { ...t, id: t.path } as unknown as CreateResult['task'],
  deduplicated: false,
});

describe('createCreateBatcher({ insert })', () => {
  it('groups creates made in the same turn into one insert, in order, each answered with its own task', async () => {
    const calls: string[][] = [];
    const batcher = createCreateBatcher({
      insert: async (tasks) => (calls.push(tasks.map((t) => t.path)), tasks.map(result)),
    });
    const results = await Promise.all(['/a', '/b', '/c'].map((p) => batcher.create(task(p))));
    expect(calls).toEqual([['/a', '/b', '/c']]);
    expect(results.map((r) => r.task.id)).toEqual(['/a', '/b', '/c']);
    await batcher.create(task('/d'));
    expect(calls).toHaveLength(2); // a later turn is a new group
  });

  it('flushes a full group at once', async () => {
    const sizes: number[] = [];
    const batcher = createCreateBatcher({
      maxGroup: 2,
      insert: async (tasks) => (sizes.push(tasks.length), tasks.map(result)),
    });
    await Promise.all(['/1', '/2', '/3', '/4', '/5'].map((p) => batcher.create(task(p))));
    expect(sizes).toEqual([2, 2, 1]);
  });

  it('writes at most maxInFlight groups at once; creates that arrive meanwhile go together next', async () => {
    const calls: string[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const batcher = createCreateBatcher({
      maxInFlight: 1,
      insert: async (tasks) => {
        calls.push(tasks.map((t) => t.path));
        if (calls.length === 1) await gate;
        return tasks.map(result);
      },
    });
    const first = batcher.create(task('/a'));
    await new Promise((resolve) => setImmediate(resolve)); // '/a' is being written
    const later = ['/b', '/c'].map((p) => batcher.create(task(p)));
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toEqual([['/a']]); // nothing else starts while the slot is taken
    const more = batcher.create(task('/d'));
    release();
    const results = await Promise.all([first, ...later, more]);
    expect(calls).toEqual([['/a'], ['/b', '/c', '/d']]);
    expect(results.map((r) => r.task.id)).toEqual(['/a', '/b', '/c', '/d']);
  });

  it('retries a failed group one task at a time, so only the bad row fails', async () => {
    const batcher = createCreateBatcher({
      insert: async (tasks) => {
        if (tasks.some((t) => t.path === '/bad')) throw new Error('bad row');
        return tasks.map(result);
      },
    });
    const settled = await Promise.allSettled(['/a', '/bad', '/c'].map((p) => batcher.create(task(p))));
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });

  it('fails the whole group at once when the database is unavailable', async () => {
    let calls = 0;
    const batcher = createCreateBatcher({
      insert: async () => {
        calls++;
        throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      },
    });
    const settled = await Promise.allSettled(['/a', '/b'].map((p) => batcher.create(task(p))));
    expect(settled.every((s) => s.status === 'rejected')).toBe(true);
    expect(calls).toBe(1); // no point retrying each against a database that is down
  });
});
