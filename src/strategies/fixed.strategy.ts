import { z } from 'zod';
import { defineStrategy, durationOption } from './strategy.js';

/** The same delay after every failed attempt; 0 retries as soon as a slot is free. */
export const fixedOptions = z.strictObject({
  /** Wait between attempts. Default 10s. */
  delay: durationOption('10s'),
});

export type FixedOptions = z.output<typeof fixedOptions>;

export const fixedStrategy = defineStrategy<FixedOptions>({
  name: 'fixed',
  optionsSchema: fixedOptions,
  maxDelayMs: (options) => options.delay,
  delay: (_info, options) => options.delay,
});
