// A Dispatchr retry strategy plugin: delays grow along the Fibonacci sequence (1, 2, 3, 5, 8 … × unit),
// gentler than doubling and faster than linear. Use it from dispatchr.yml:
//
//   queues:
//     emails:
//       target: https://app.example.com/tasks
//       retry: { strategy: ./fibonacci.strategy.js, options: { unit: 2s, maxDelay: 30m } }
//
// A plugin is any ES module exporting name, optionsSchema, maxDelayMs and delay. It only needs zod.
import { z } from 'zod';

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const MAX_MS = 365 * UNIT_MS.d;

// Durations the way Dispatchr's config takes them: "500ms", "30s", "10m", "1h" or a number of ms.
const duration = (fallback) =>
  z
    .union([z.number(), z.string()])
    .transform((value, ctx) => {
      const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(String(value));
      const ms = match ? Math.round(Number(match[1]) * UNIT_MS[match[2] ?? 'ms']) : NaN;
      if (!(ms >= 1 && ms <= MAX_MS)) {
        ctx.addIssue({ code: 'custom', message: `expected a duration from 1ms to 365d, got ${JSON.stringify(value)}` });
        return z.NEVER;
      }
      return ms;
    })
    .prefault(fallback);

export const name = 'fibonacci';

export const optionsSchema = z.strictObject({
  /** Multiplied by the Fibonacci number of the attempt. Default 1s. */
  unit: duration('1s'),
  /** Cap on the delay. Default 1h. */
  maxDelay: duration('1h'),
});

export function maxDelayMs(options) {
  return options.maxDelay;
}

/** Pure: depends only on the attempt number and the options, so a restart computes the same delay. */
export function delay(attemptInfo, options) {
  let previous = 1;
  let current = 1;
  // Stop growing once past the cap: keeps the loop short and the numbers finite for any attempt.
  for (let i = 1; i < attemptInfo.attempt && current * options.unit < options.maxDelay; i++) {
    [previous, current] = [current, previous + current];
  }
  return Math.min(options.maxDelay, current * options.unit);
}
