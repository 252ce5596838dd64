import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exponentialStrategy as exponential } from '../../../src/strategies/exponential.strategy.js';
import { parseStrategyOptions } from '../../../src/strategies/strategy.js';
import { attemptInfo, delays, optionsFor } from './helpers.js';

const s = 1000;

describe('exponential strategy', () => {
  it('has the documented defaults', () => {
    expect(optionsFor(exponential)).toEqual({ initialDelay: 1000, factor: 2, maxDelay: 3_600_000, jitter: 'full' });
    expect(exponential.maxDelayMs(optionsFor(exponential))).toBe(3_600_000);
  });

  it('doubles from 1s and caps at 1h without jitter', () => {
    const options = optionsFor(exponential, { jitter: 'none' });
    expect(delays(exponential, options, 14)).toEqual(
      [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 3600, 3600].map((x) => x * s),
    );
  });

  it('accepts durations as strings or ms numbers and a fractional factor', () => {
    const options = optionsFor(exponential, { initialDelay: 100, factor: 1.5, maxDelay: '1s', jitter: 'none' });
    expect(delays(exponential, options, 7)).toEqual([100, 150, 225, 338, 506, 759, 1000]);
  });

  it('full jitter spreads over [0, delay)', () => {
    const options = optionsFor(exponential, { initialDelay: '10s' });
    expect(exponential.delay(attemptInfo(3, { random: () => 0 }), options)).toBe(0);
    expect(exponential.delay(attemptInfo(3, { random: () => 0.25 }), options)).toBe(10_000);
    expect(exponential.delay(attemptInfo(3, { random: () => 0.999999 }), options)).toBe(39_999);
  });

  it('equal jitter keeps at least half the delay', () => {
    const options = optionsFor(exponential, { initialDelay: '10s', jitter: 'equal' });
    expect(exponential.delay(attemptInfo(3, { random: () => 0 }), options)).toBe(20_000);
    expect(exponential.delay(attemptInfo(3, { random: () => 0.5 }), options)).toBe(30_000);
    expect(exponential.delay(attemptInfo(3, { random: () => 0.999999 }), options)).toBe(39_999);
  });

  it('stays at maxDelay for attempts far past overflow', () => {
    const options = optionsFor(exponential, { factor: 100, jitter: 'none' });
    expect(exponential.delay(attemptInfo(10_000), options)).toBe(3_600_000);
  });

  it('rejects bad options with the limit and the value', () => {
    const result = parseStrategyOptions(exponential, { initialDelay: '0s', factor: 0.5, jitter: 'half', backoff: 2 });
    expect(result).toEqual({
      ok: false,
      problems: [
        { path: 'initialDelay', message: expect.stringMatching(/^expected a duration from 1ms to 365d .*, got "0s"$/) },
        { path: 'factor', message: 'expected a number >= 1, got 0.5' },
        { path: 'jitter', message: 'expected one of "none", "full", "equal", got "half"' },
        { path: 'backoff', message: 'unknown option' },
      ],
    });
    expect(parseStrategyOptions(exponential, { initialDelay: '1m', maxDelay: '30s' })).toEqual({
      ok: false,
      problems: [{ path: 'maxDelay', message: 'expected maxDelay >= initialDelay (1m), got 30s' }],
    });
  });

  it('without jitter never shrinks, and jitter stays within its band', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60_000 }),
        fc.double({ min: 1, max: 10, noNaN: true }),
        fc.integer({ min: 1, max: 200 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (initialDelay, factor, attempt, r) => {
          const base = { initialDelay, factor, maxDelay: '1d' };
          const none = optionsFor(exponential, { ...base, jitter: 'none' });
          const current = exponential.delay(attemptInfo(attempt), none);
          expect(exponential.delay(attemptInfo(attempt + 1), none)).toBeGreaterThanOrEqual(current);
          const full = exponential.delay(
            attemptInfo(attempt, { random: () => r }),
            optionsFor(exponential, { ...base, jitter: 'full' }),
          );
          expect(full).toBeGreaterThanOrEqual(0);
          expect(full).toBeLessThanOrEqual(current);
          const equal = exponential.delay(
            attemptInfo(attempt, { random: () => r }),
            optionsFor(exponential, { ...base, jitter: 'equal' }),
          );
          expect(equal).toBeGreaterThanOrEqual(Math.floor(current / 2));
          expect(equal).toBeLessThanOrEqual(current);
        },
      ),
    );
  });
});
