import { z } from 'zod';
import { defineStrategy, durationOption } from './strategy.js';

/** The longest Retry-After a fixed queue honours, unless its `delay` is longer. */
export const FIXED_RETRY_AFTER_CAP_MS = 3_600_000;

/** The same delay after every failed attempt; 0 retries as soon as a slot is free. */
export const fixedOptions = z.strictObject({
  /** Wait between attempts. Default 10s. */
  delay: durationOption('10s'),
});

export type FixedOptions = z.output<typeof fixedOptions>;

export const fixedStrategy = defineStrategy<FixedOptions>({
  name: 'fixed',
  optionsSchema: fixedOptions,
  // The cap on Retry-After too (spec 6, 7.1): at `delay` itself a target's Retry-After could never
  // lengthen a wait, so a fixed queue honours one up to an hour, as the other strategies' defaults do.
  maxDelayMs: (options) => Math.max(options.delay, FIXED_RETRY_AFTER_CAP_MS),
  delay: (_info, options) => options.delay,
});
