import { z } from 'zod';
import { applyJitter, jitterOption } from './jitter.js';
import { atLeast, defineStrategy, durationOption } from './strategy.js';

/**
 * Google Cloud Tasks' RetryConfig backoff, so queues moved from Cloud Tasks keep their timing.
 * From `queue.proto` (RetryConfig.max_doublings): the interval starts at min_backoff, doubles
 * max_doublings times, then grows linearly by 2^max_doublings · min_backoff, and stays at
 * max_backoff. For retry k (k = 1 after the first failed attempt), m = min, M = max, d = doublings:
 *
 *   k <= d + 1:  min(M, m · 2^(k-1))
 *   k >  d + 1:  min(M, m · 2^d · (k - d))
 *
 * e.g. m = 10s, M = 300s, d = 3 → 10, 20, 40, 80, 160, 240, 300, 300 … s (the proto's own example).
 * Unlike Cloud Tasks we keep millisecond precision (it truncates to whole seconds, which would turn
 * the 100ms default into 0). `jitter` is our addition (spec section 7 documents it) and defaults to
 * none, keeping the exact schedule; `full` or `equal` spread a wave of retries as for exponential.
 */
export const cloudTasksOptions = z
  .strictObject({
    /** First retry interval. Default 100ms (Cloud Tasks' default 0.1s); at least 1ms, since 0 never grows. */
    minBackoff: durationOption('100ms', 1),
    /** Cap on the interval. Default 1h (Cloud Tasks' default 3600s). */
    maxBackoff: durationOption('1h', 1),
    /** Times the interval doubles before growing linearly. Default 16 (Cloud Tasks' default). */
    maxDoublings: z
      .number({ error: 'expected an integer from 0 to 100' })
      .int({ error: 'expected an integer from 0 to 100' })
      .min(0, { error: 'expected an integer >= 0' })
      .max(100, { error: 'expected an integer <= 100' })
      .default(16),
    /** none | full | equal. Default none (Cloud Tasks has no jitter). */
    jitter: jitterOption('none'),
  })
  .check(atLeast('maxBackoff', 'minBackoff'));

export type CloudTasksOptions = z.output<typeof cloudTasksOptions>;

export const cloudTasksStrategy = defineStrategy<CloudTasksOptions>({
  name: 'cloud-tasks',
  optionsSchema: cloudTasksOptions,
  maxDelayMs: (options) => options.maxBackoff,
  delay(info, options) {
    const { minBackoff: m, maxBackoff: M, maxDoublings: d } = options;
    const k = info.attempt;
    const interval = k <= d + 1 ? m * 2 ** (k - 1) : m * 2 ** d * (k - d);
    return applyJitter(options.jitter, Math.min(M, interval), info.random);
  },
});
