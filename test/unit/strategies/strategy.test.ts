import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import {
  defineStrategy,
  durationOption,
  nextRetryDelay,
  strategyShapeProblems,
  type RetryStrategy,
} from '../../../src/strategies/strategy.js';
import { exponentialStrategy } from '../../../src/strategies/exponential.strategy.js';
import { attemptInfo, optionsFor } from './helpers.js';

/** A strategy whose delay is whatever the test says, with a 1h maximum. */
function returning(value: unknown, maxDelayMs: unknown = 3_600_000): RetryStrategy<Record<string, never>> {
  return {
    name: 'scripted',
    optionsSchema: z.strictObject({}),
    maxDelayMs: () => maxDelayMs as number,
    delay: () => value as number,
  };
}

describe('nextRetryDelay', () => {
  it("uses the strategy's delay when there is no Retry-After", () => {
    const options = optionsFor(exponentialStrategy, { jitter: 'none' });
    expect(nextRetryDelay(exponentialStrategy, options, attemptInfo(3))).toEqual({ ok: true, delayMs: 4000 });
  });

  it('honours a Retry-After longer than the strategy delay, capped by maxDelayMs', () => {
    const strategy = returning(1);
    expect(nextRetryDelay(strategy, {}, attemptInfo(1, { status: 429, retryAfterMs: 5000 }))).toEqual({
      ok: true,
      delayMs: 5000,
    });
    expect(nextRetryDelay(strategy, {}, attemptInfo(1, { status: 503, retryAfterMs: 7_200_000 }))).toEqual({
      ok: true,
      delayMs: 3_600_000,
    });
    expect(
      nextRetryDelay(strategy, {}, attemptInfo(1, { status: 503, retryAfterMs: Number.MAX_SAFE_INTEGER })),
    ).toEqual({ ok: true, delayMs: 3_600_000 });
  });

  it('never lets Retry-After shorten the strategy delay: 0 (or less) waits what the strategy says', () => {
    const strategy = returning(2_000);
    const delay = vi.spyOn(strategy, 'delay');
    expect(nextRetryDelay(strategy, {}, attemptInfo(1, { status: 503, retryAfterMs: 0 }))).toEqual({
      ok: true,
      delayMs: 2_000,
    });
    expect(nextRetryDelay(strategy, {}, attemptInfo(1, { status: 503, retryAfterMs: -10 }))).toEqual({
      ok: true,
      delayMs: 2_000,
    });
    expect(nextRetryDelay(strategy, {}, attemptInfo(1, { status: 429, retryAfterMs: 1_000 }))).toEqual({
      ok: true,
      delayMs: 2_000,
    });
    expect(delay).toHaveBeenCalledTimes(3);
  });

  it.each([
    [-1, 'strategy "scripted" returned -1 for attempt 4'],
    [Number.NaN, 'strategy "scripted" returned NaN for attempt 4'],
    [Number.POSITIVE_INFINITY, 'strategy "scripted" returned Infinity for attempt 4'],
    ['5000', 'strategy "scripted" returned "5000" for attempt 4'],
    [undefined, 'strategy "scripted" returned undefined for attempt 4'],
  ])('turns a returned %s into data, not an exception', (value, message) => {
    expect(nextRetryDelay(returning(value), {}, attemptInfo(4))).toEqual({ ok: false, message });
  });

  it('turns a throwing strategy into data', () => {
    const strategy = {
      ...returning(0),
      delay: () => {
        throw new Error('boom');
      },
    };
    expect(nextRetryDelay(strategy, {}, attemptInfo(2))).toEqual({
      ok: false,
      message: 'strategy "scripted" threw for attempt 2: boom',
    });
  });

  it('reports a broken maxDelayMs even when Retry-After is set', () => {
    expect(nextRetryDelay(returning(10, Number.NaN), {}, attemptInfo(1, { retryAfterMs: 1000 }))).toEqual({
      ok: false,
      message: 'strategy "scripted" maxDelayMs returned NaN',
    });
  });

  it('clamps a delay above the declared maximum', () => {
    expect(nextRetryDelay(returning(1e20, 60_000), {}, attemptInfo(1))).toEqual({ ok: true, delayMs: 60_000 });
  });
});

describe('durationOption', () => {
  const schema = z.object({ wait: durationOption('30s', 1) });

  it('parses config-style durations to ms and fills the default', () => {
    expect(schema.parse({})).toEqual({ wait: 30_000 });
    expect(schema.parse({ wait: '1.5s' })).toEqual({ wait: 1500 });
    expect(schema.parse({ wait: '10m' })).toEqual({ wait: 600_000 });
    expect(schema.parse({ wait: 250 })).toEqual({ wait: 250 });
    expect(schema.parse({ wait: '365d' })).toEqual({ wait: 31_536_000_000 });
  });

  it.each([['0ms'], [0], ['366d'], ['-1s'], ['1w'], [true]])('rejects %j', (wait) => {
    expect(schema.safeParse({ wait }).success).toBe(false);
  });
});

describe('strategyShapeProblems', () => {
  it('accepts a complete strategy and defineStrategy returns it unchanged', () => {
    const strategy = defineStrategy(returning(0));
    expect(defineStrategy(strategy)).toBe(strategy);
    expect(strategyShapeProblems(strategy)).toEqual([]);
  });

  it('names every missing or mistyped member', () => {
    expect(strategyShapeProblems({ name: '', optionsSchema: {}, delay: 5 })).toEqual([
      'expected an exported "name" (a non-empty string), got ""',
      'expected an exported "optionsSchema" (a zod schema, with safeParse), got {}',
      'expected an exported "delay" function (attemptInfo, options) => ms, got 5',
      'expected an exported "maxDelayMs" function (options) => ms, got undefined',
    ]);
    expect(strategyShapeProblems(null)).toEqual(['expected a module or object, got null']);
  });
});
