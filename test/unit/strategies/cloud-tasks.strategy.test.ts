import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cloudTasksStrategy as cloudTasks } from '../../../src/strategies/cloud-tasks.strategy.js';
import { parseStrategyOptions } from '../../../src/strategies/strategy.js';
import { attemptInfo, delays, optionsFor } from './helpers.js';

/**
 * Cloud Tasks' schedule as queue.proto words it, step by step: "starts at min_backoff, then doubles
 * max_doublings times, then increases linearly [by 2^max_doublings * min_backoff], and finally
 * retries at intervals of max_backoff". Written iteratively so it checks the closed form, not itself.
 */
function protoSchedule(minMs: number, maxMs: number, doublings: number, retries: number): number[] {
  const out: number[] = [];
  let interval = minMs;
  let doubled = 0;
  for (let k = 1; k <= retries; k++) {
    if (k > 1) {
      if (doubled < doublings) {
        interval *= 2;
        doubled++;
      } else {
        interval += minMs * 2 ** doublings;
      }
    }
    out.push(Math.min(maxMs, interval));
  }
  return out;
}

describe('cloud-tasks strategy', () => {
  it("reproduces queue.proto's example: 10, 20, 40, 80, 160, 240, 300, 300 s", () => {
    const options = optionsFor(cloudTasks, { minBackoff: '10s', maxBackoff: '300s', maxDoublings: 3 });
    expect(delays(cloudTasks, options, 8).map((ms) => ms / 1000)).toEqual([10, 20, 40, 80, 160, 240, 300, 300]);
  });

  it("uses Cloud Tasks' defaults: 100ms doubling 16 times, capped at 1h", () => {
    const options = optionsFor(cloudTasks);
    expect(options).toEqual({ minBackoff: 100, maxBackoff: 3_600_000, maxDoublings: 16, jitter: 'none' });
    const schedule = delays(cloudTasks, options, 18);
    expect(schedule.slice(0, 4)).toEqual([100, 200, 400, 800]);
    expect(schedule[15]).toBe(100 * 2 ** 15); // 3,276,800 ms, still under the cap
    expect(schedule.slice(16)).toEqual([3_600_000, 3_600_000]);
  });

  it('grows linearly from the start with maxDoublings 0', () => {
    const options = optionsFor(cloudTasks, { minBackoff: '1s', maxBackoff: '4s', maxDoublings: 0 });
    expect(delays(cloudTasks, options, 6)).toEqual([1000, 2000, 3000, 4000, 4000, 4000]);
    expect(cloudTasks.maxDelayMs(options)).toBe(4000);
  });

  it('ignores random unless jitter is asked for', () => {
    const options = optionsFor(cloudTasks, { minBackoff: '10s', maxDoublings: 3 });
    expect(cloudTasks.delay(attemptInfo(5, { random: () => 0 }), options)).toBe(160_000);
    const jittered = optionsFor(cloudTasks, { minBackoff: '10s', maxDoublings: 3, jitter: 'full' });
    expect(cloudTasks.delay(attemptInfo(5, { random: () => 0.5 }), jittered)).toBe(80_000);
  });

  it('rejects bad options', () => {
    expect(parseStrategyOptions(cloudTasks, { maxDoublings: 2.5, minBackoff: '1m', maxBackoff: '1s' })).toEqual({
      ok: false,
      problems: [{ path: 'maxDoublings', message: 'expected an integer from 0 to 100, got 2.5' }],
    });
    expect(parseStrategyOptions(cloudTasks, { minBackoff: '1m', maxBackoff: '1s' })).toEqual({
      ok: false,
      problems: [{ path: 'maxBackoff', message: 'expected maxBackoff >= minBackoff (1m), got 1s' }],
    });
  });

  it('matches the proto wording for any settings', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 120_000 }),
        fc.integer({ min: 0, max: 86_400_000 }),
        fc.integer({ min: 0, max: 20 }),
        (minMs, extra, doublings) => {
          const options = optionsFor(cloudTasks, {
            minBackoff: minMs,
            maxBackoff: minMs + extra,
            maxDoublings: doublings,
          });
          expect(delays(cloudTasks, options, 40)).toEqual(protoSchedule(minMs, minMs + extra, doublings, 40));
        },
      ),
    );
  });
});
