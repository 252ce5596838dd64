import { describe, expect, it } from 'vitest';
import { MAX_RETRY_AFTER_MS, parseRetryAfter } from '../../../src/workers/retry-after.js';
import { loadVectors } from './load-vectors.js';

/**
 * spec/vectors/retry-after.json: the delay a Retry-After header asks for, from `now`; "max" is
 * "too large to count", which the scheduler turns into the strategy's maximum delay.
 */
interface RetryAfterCase {
  name: string;
  header: string;
  now: string;
  ms: number | null | 'max';
}

const { cases } = loadVectors<RetryAfterCase>('retry-after.json', 15);

describe('spec/vectors/retry-after.json', () => {
  it.each(cases)('$name', (c) => {
    const now = Date.parse(c.now);
    expect(Number.isNaN(now), 'now must be an RFC 3339 time').toBe(false);
    const ms = parseRetryAfter(c.header, now);
    expect(ms === MAX_RETRY_AFTER_MS ? 'max' : ms).toBe(c.ms);
  });
});
