import { describe, expect, it } from 'vitest';
import { getBuiltinStrategy, parseStrategyOptions } from '../../../src/strategies/index.js';
import { loadVectors } from './load-vectors.js';

/**
 * spec/vectors/backoff.json: a built-in strategy's delay after attempt n, its options parsed as
 * the config parses them, with `random` the one value the strategy's random source returns.
 */
interface BackoffCase {
  name: string;
  strategy: 'exponential' | 'linear' | 'fixed' | 'cloud-tasks';
  options: Record<string, unknown>;
  attempt: number;
  random: number;
  ms: number;
}

const { cases } = loadVectors<BackoffCase>('backoff.json', 60);

describe('spec/vectors/backoff.json', () => {
  it.each(cases)('$name', (c) => {
    const strategy = getBuiltinStrategy(c.strategy);
    if (!strategy) throw new Error(`unknown strategy ${c.strategy}`);
    const parsed = parseStrategyOptions(strategy, c.options);
    if (!parsed.ok) throw new Error(`options refused: ${JSON.stringify(parsed.problems)}`);
    expect(c.random >= 0 && c.random < 1, 'random in [0, 1)').toBe(true);
    let draws = 0;
    const info = {
      attempt: c.attempt,
      status: 500,
      retryAfterMs: null,
      error: null,
      firstAttemptAt: new Date('2026-01-01T00:00:00.000Z'),
      queue: 'vectors',
      random: () => {
        draws += 1;
        return c.random;
      },
    };
    const ms = strategy.delay(info, parsed.options);
    expect(ms).toBe(c.ms);
    expect(Number.isInteger(ms)).toBe(true);
    // A delay is a function of (options, attempt, random): one draw at most, and the same answer again.
    expect(draws).toBeLessThanOrEqual(1);
    expect(strategy.delay({ ...info, status: 503, error: 'x', queue: 'other' }, parsed.options)).toBe(ms);
  });
});
