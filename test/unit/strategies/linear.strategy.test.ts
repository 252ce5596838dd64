import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { linearStrategy as linear } from '../../../src/strategies/linear.strategy.js';
import { parseStrategyOptions } from '../../../src/strategies/strategy.js';
import { delays, optionsFor } from './helpers.js';

describe('linear strategy', () => {
  it('defaults to 10s, 20s, 30s … capped at 1h', () => {
    const options = optionsFor(linear);
    expect(options).toEqual({ initialDelay: 10_000, increment: 10_000, maxDelay: 3_600_000 });
    const schedule = delays(linear, options, 362);
    expect(schedule.slice(0, 3)).toEqual([10_000, 20_000, 30_000]);
    expect(schedule.slice(358)).toEqual([3_590_000, 3_600_000, 3_600_000, 3_600_000]);
  });

  it('adds the increment to the initial delay', () => {
    const options = optionsFor(linear, { initialDelay: 0, increment: '5s', maxDelay: '12s' });
    expect(delays(linear, options, 5)).toEqual([0, 5000, 10_000, 12_000, 12_000]);
    expect(linear.maxDelayMs(options)).toBe(12_000);
  });

  it('rejects a cap below the start', () => {
    expect(parseStrategyOptions(linear, { initialDelay: '2m', maxDelay: '1m' })).toEqual({
      ok: false,
      problems: [{ path: 'maxDelay', message: 'expected maxDelay >= initialDelay (2m), got 1m' }],
    });
  });

  it('steps by exactly the increment until the cap', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 60_000 }),
        fc.integer({ min: 0, max: 60_000 }),
        fc.integer({ min: 1, max: 500 }),
        (start, step, attempt) => {
          const options = optionsFor(linear, { initialDelay: start, increment: step, maxDelay: '1h' });
          const [current, next] = [attempt, attempt + 1].map((n) => delays(linear, options, n).at(-1)!);
          expect(next).toBe(Math.min(3_600_000, current + step));
        },
      ),
    );
  });
});
