import { afterEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../../src/logger.js';
import { createPauseFlags, REREAD_SPACING_MS } from '../../../src/scheduler/pause-flags.js';

/** The scheduler's copy of the pause flags: reads applied in order, wake-up reads spaced out. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

afterEach(() => vi.useRealTimers());

describe('createPauseFlags', () => {
  it('an older read that finishes last does not re-pause a queue a newer read found resumed', async () => {
    const reads = [deferred<Set<string>>(), deferred<Set<string>>(), deferred<Set<string>>()];
    let next = 0;
    const resumed: string[] = [];
    const flags = createPauseFlags({
      queueStates: { pausedQueues: () => reads[next++].promise },
      logger: silentLogger,
      onResumed: (q) => resumed.push(q),
    });
    const first = flags.refresh();
    reads[0].resolve(new Set(['emails']));
    await first;
    expect(flags.has('emails')).toBe(true);

    const older = flags.refresh(); // started before the resume committed
    const newer = flags.refresh(); // started after it
    reads[2].resolve(new Set());
    await newer;
    expect(flags.has('emails')).toBe(false);
    expect(resumed).toEqual(['emails']);
    reads[1].resolve(new Set(['emails']));
    await older;
    expect(flags.has('emails')).toBe(false);
  });

  it('wake-ups of a paused queue start at most one read per spacing, and a pending one still runs', async () => {
    vi.useFakeTimers();
    let clock = 0;
    let reads = 0;
    const flags = createPauseFlags({
      queueStates: { pausedQueues: async () => (reads++, new Set(['emails'])) },
      logger: silentLogger,
      onResumed: () => {},
      now: () => clock,
    });
    for (let i = 0; i < 50; i++) {
      flags.rereadSoon();
      await vi.advanceTimersByTimeAsync(1);
      clock += 1;
    }
    // 50 ms of constant wake-ups: the first read at once, the next only once the spacing has passed.
    expect(reads).toBe(1);
    clock += REREAD_SPACING_MS;
    await vi.advanceTimersByTimeAsync(REREAD_SPACING_MS);
    expect(reads).toBe(2);
    await flags.stop();
  });
});
