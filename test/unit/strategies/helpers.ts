import type { AttemptInfo, RetryStrategy } from '../../../src/strategies/index.js';

/** An AttemptInfo for attempt `attempt`, with a fixed random unless one is given. */
export function attemptInfo(attempt: number, overrides: Partial<AttemptInfo> = {}): AttemptInfo {
  return {
    attempt,
    status: 500,
    retryAfterMs: null,
    error: null,
    firstAttemptAt: new Date('2024-01-01T00:00:00.000Z'),
    queue: 'emails',
    random: () => 0.5,
    ...overrides,
  };
}

/** Parses raw options through the strategy's own schema, failing the test loudly when they are rejected. */
export function optionsFor<Options>(strategy: RetryStrategy<Options>, raw: unknown = {}): Options {
  const result = strategy.optionsSchema.safeParse(raw);
  if (!result.success) throw new Error(`options rejected: ${JSON.stringify(result.error.issues)}`);
  return result.data;
}

/** Delays for attempts 1..n, in ms. */
export function delays<Options>(
  strategy: RetryStrategy<Options>,
  options: Options,
  n: number,
  random = () => 0.5,
): number[] {
  return Array.from({ length: n }, (_, i) => strategy.delay(attemptInfo(i + 1, { random }), options));
}
