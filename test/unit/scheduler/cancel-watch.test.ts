import { afterEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../../src/clock.js';
import type { CancelRunningRepository } from '../../../src/db/cancel-running.repository.js';
import { silentLogger } from '../../../src/logger.js';
import { createCancelWatch } from '../../../src/scheduler/cancel-watch.js';
import type { TaskRecord } from '../../../src/task.js';
import type { DispatchPool } from '../../../src/workers/pool.js';

/**
 * A NOTIFY of a cancel can overtake the claim's answer: the task is not tracked yet when the cancel
 * is heard. The watch keeps such a cancel briefly, and cuts the attempt when its batch is tracked,
 * so it is never sent; a cancel heard long before does not cut a later attempt.
 */
function watchWithCuts() {
  const cuts: [string, number][] = [];
  const pool = { cancel: (taskId: string, attempt: number) => cuts.push([taskId, attempt]) } as unknown as DispatchPool;
  const watch = createCancelWatch({
    repository: {} as CancelRunningRepository,
    pool,
    owner: 'me',
    clock: systemClock,
    logger: silentLogger,
    pollIntervalMs: 1_000,
    needsPolling: () => false,
  });
  return { watch, cuts };
}

const task = (id: string, attempt: number) => ({ id, attempt }) as TaskRecord;

describe('cancel watch', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('cuts a tracked attempt when its cancel is heard', () => {
    const { watch, cuts } = watchWithCuts();
    watch.track([task('a', 1), task('b', 1)]);
    watch.onCancelled('a');
    expect(cuts).toEqual([['a', 1]]);
    expect(watch.wasCancelled('a')).toBe(true);
    expect(watch.wasCancelled('b')).toBe(false);
  });

  it('cuts an attempt whose cancel was heard just before it was tracked', () => {
    const { watch, cuts } = watchWithCuts();
    watch.onCancelled('a');
    expect(cuts).toEqual([]);
    watch.track([task('a', 2)]);
    expect(cuts).toEqual([['a', 2]]);
    expect(watch.wasCancelled('a')).toBe(true);
  });

  it('does not cut an attempt tracked long after an early cancel', () => {
    vi.useFakeTimers();
    const { watch, cuts } = watchWithCuts();
    watch.onCancelled('a');
    vi.advanceTimersByTime(60_000);
    watch.track([task('a', 3)]);
    expect(cuts).toEqual([]);
    expect(watch.wasCancelled('a')).toBe(false);
  });
});
