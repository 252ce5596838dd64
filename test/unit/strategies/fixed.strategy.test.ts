import { describe, expect, it } from 'vitest';
import { fixedStrategy as fixed } from '../../../src/strategies/fixed.strategy.js';
import { parseStrategyOptions } from '../../../src/strategies/strategy.js';
import { attemptInfo, delays, optionsFor } from './helpers.js';

describe('fixed strategy', () => {
  it('waits the same delay every time, 10s by default', () => {
    expect(delays(fixed, optionsFor(fixed), 4)).toEqual([10_000, 10_000, 10_000, 10_000]);
    // The cap on Retry-After: an hour, or the delay when that is longer.
    expect(fixed.maxDelayMs(optionsFor(fixed, { delay: '2m' }))).toBe(3_600_000);
    expect(fixed.maxDelayMs(optionsFor(fixed, { delay: '2h' }))).toBe(7_200_000);
  });

  it('ignores the attempt, the status and random', () => {
    const options = optionsFor(fixed, { delay: '1.5s' });
    expect(fixed.delay(attemptInfo(99, { status: null, random: () => 0.999999 }), options)).toBe(1500);
  });

  it('allows 0 (retry as soon as a slot is free) but not negative or unit-less text', () => {
    expect(optionsFor(fixed, { delay: 0 })).toEqual({ delay: 0 });
    const rejected = parseStrategyOptions(fixed, { delay: -5 });
    expect(rejected).toMatchObject({
      ok: false,
      problems: [{ path: 'delay', message: expect.stringContaining('got -5') }],
    });
    expect(parseStrategyOptions(fixed, { delay: '10 seconds' }).ok).toBe(false);
  });
});
