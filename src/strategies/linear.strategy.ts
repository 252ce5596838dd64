import { z } from 'zod';
import { atLeast, defineStrategy, durationOption } from './strategy.js';

/** initialDelay + increment · (attempt-1), capped at maxDelay: steady growth without exponential jumps. */
export const linearOptions = z
  .strictObject({
    /** Delay after the first failed attempt. Default 10s. */
    initialDelay: durationOption('10s'),
    /** Added per further attempt. Default 10s. */
    increment: durationOption('10s'),
    /** Cap on the delay. Default 1h. */
    maxDelay: durationOption('1h'),
  })
  .check(atLeast('maxDelay', 'initialDelay'));

export type LinearOptions = z.output<typeof linearOptions>;

export const linearStrategy = defineStrategy<LinearOptions>({
  name: 'linear',
  optionsSchema: linearOptions,
  maxDelayMs: (options) => options.maxDelay,
  delay: (info, options) => Math.min(options.maxDelay, options.initialDelay + options.increment * (info.attempt - 1)),
});
