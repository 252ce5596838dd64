import { z } from 'zod';
import { applyJitter, jitterOption } from './jitter.js';
import { atLeast, defineStrategy, durationOption } from './strategy.js';

/**
 * initialDelay · factor^(attempt-1), capped at maxDelay, then jittered (full by default, so a burst
 * of failures does not retry in lockstep). The default for every queue.
 */
export const exponentialOptions = z
  .strictObject({
    /** Delay after the first failed attempt, before jitter. Default 1s; at least 1ms, since 0 never grows. */
    initialDelay: durationOption('1s', 1),
    /** Growth per attempt. Default 2. */
    factor: z
      .number({ error: 'expected a number from 1 to 100' })
      .min(1, { error: 'expected a number >= 1' })
      .max(100, { error: 'expected a number <= 100' })
      .default(2),
    /** Cap on the delay, before jitter. Default 1h. */
    maxDelay: durationOption('1h', 1),
    /** none | full | equal. Default full. */
    jitter: jitterOption('full'),
  })
  .check(atLeast('maxDelay', 'initialDelay'));

export type ExponentialOptions = z.output<typeof exponentialOptions>;

export const exponentialStrategy = defineStrategy<ExponentialOptions>({
  name: 'exponential',
  optionsSchema: exponentialOptions,
  maxDelayMs: (options) => options.maxDelay,
  delay(info, options) {
    // initialDelay >= 1 and factor >= 1, so the product is >= 1 or Infinity (never NaN); min() caps both.
    const base = Math.round(Math.min(options.maxDelay, options.initialDelay * options.factor ** (info.attempt - 1)));
    return applyJitter(options.jitter, base, info.random);
  },
});
