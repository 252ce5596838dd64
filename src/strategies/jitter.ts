import { z } from 'zod';

/**
 * Jitter spreads retries of tasks that failed together (an outage) so they do not come back as one
 * wave. Formulas from "Exponential Backoff And Jitter" (AWS Architecture Blog, Marc Brooker, 2015).
 * Pure: the random source is passed in, so a stored attempt replays to the same delay in tests.
 */
export const JITTER_KINDS = ['none', 'full', 'equal'] as const;
export type JitterKind = (typeof JITTER_KINDS)[number];

export const jitterOption = (defaultKind: JitterKind) =>
  z
    .enum(JITTER_KINDS, { error: `expected one of ${JITTER_KINDS.map((k) => `"${k}"`).join(', ')}` })
    .default(defaultKind);

/** Returns whole milliseconds in [0, delayMs] for a whole-ms delayMs, whatever `random()` in [0, 1) returns. */
export function applyJitter(kind: JitterKind, delayMs: number, random: () => number): number {
  switch (kind) {
    case 'none':
      return delayMs;
    case 'full':
      // uniform in [0, delay): the widest spread, and the lowest total load in Brooker's measurements
      return Math.floor(random() * delayMs);
    case 'equal': {
      // keeps at least half the delay, for servers that need a guaranteed pause
      const half = delayMs / 2;
      return Math.floor(half + random() * half);
    }
  }
}
