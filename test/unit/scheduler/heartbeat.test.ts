import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fixedClock } from '../../../src/clock.js';
import type { SchedulerRegistry } from '../../../src/db/scheduler-registry.repository.js';
import { silentLogger } from '../../../src/logger.js';
import { createHeartbeat } from '../../../src/scheduler/heartbeat.js';

/**
 * Fencing must not depend on a write failing: on a half-open connection the write just hangs.
 * The registry here answers by script; time is fake and the clock moves with the timers.
 */
const INTERVAL = 1_000;

describe('heartbeat fencing', () => {
  const clock = fixedClock('2026-01-01T00:00:00Z');
  let writes: { at: Date; resolve(): void; reject(error: Error): void }[];
  let fenced: number;
  let restored: number;

  beforeEach(() => {
    vi.useFakeTimers({ now: clock.now() });
    writes = [];
    fenced = 0;
    restored = 0;
  });
  afterEach(() => vi.useRealTimers());

  function start() {
    const registry = {
      heartbeat: (info: { at?: Date }) =>
        new Promise<void>((resolve, reject) => writes.push({ at: info.at!, resolve, reject })),
    } as unknown as SchedulerRegistry;
    const heartbeat = createHeartbeat({
      registry,
      id: 's1',
      queues: ['q'],
      startedAt: clock.now(),
      intervalMs: INTERVAL,
      clock,
      logger: silentLogger,
      onFenced: () => (fenced += 1),
      onRestored: () => (restored += 1),
    });
    heartbeat.start();
    return heartbeat;
  }
  async function advance(ms: number) {
    for (let t = 0; t < ms; t += 100) {
      clock.advance(100);
      await vi.advanceTimersByTimeAsync(100);
    }
  }

  it('fences after three intervals while a write hangs, and writes again beside a stuck one', async () => {
    const heartbeat = start(); // silent since t=0
    await advance(1_000);
    expect(writes).toHaveLength(1); // the first write hangs from here on
    await advance(1_500);
    expect(heartbeat.fenced).toBe(false);
    await advance(500);
    expect(heartbeat.fenced).toBe(true); // t=3 s: three intervals without a recorded heartbeat
    expect(fenced).toBe(1);
    expect(writes).toHaveLength(1); // no pile-up on a write pending for less than three intervals
    await advance(1_000);
    expect(writes).toHaveLength(2); // stuck for three intervals: written again beside it
    await heartbeat.stop(false);
  });

  it('fences when writes fail, and unfences once a fresh heartbeat is recorded', async () => {
    const heartbeat = start();
    for (let i = 0; i < 3; i++) {
      await advance(1_000);
      writes.at(-1)!.reject(new Error('connect ECONNREFUSED'));
    }
    await advance(1);
    expect(heartbeat.fenced).toBe(true);
    await advance(1_000);
    writes.at(-1)!.resolve();
    await advance(1);
    expect(heartbeat.fenced).toBe(false);
    expect(restored).toBe(1);
    await heartbeat.stop(false);
  });

  it('does not unfence on a late success that recorded an old time', async () => {
    const heartbeat = start();
    await advance(1_000);
    const stuck = writes[0]; // records t=1 s, then hangs
    await advance(5_000);
    expect(heartbeat.fenced).toBe(true);
    stuck.resolve(); // lands at t≈6 s with a heartbeat of t=1 s: the others already count us dead
    await advance(1);
    expect(heartbeat.fenced).toBe(true);
    expect(restored).toBe(0);
    await heartbeat.stop(false);
  });
});
