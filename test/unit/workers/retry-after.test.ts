import { describe, expect, it } from 'vitest';
import { MAX_RETRY_AFTER_MS, parseHttpDate, parseRetryAfter } from '../../../src/workers/retry-after.js';

const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);

describe('parseRetryAfter', () => {
  it('reads delta-seconds', () => {
    expect(parseRetryAfter('2', NOW)).toBe(2000);
    expect(parseRetryAfter('0', NOW)).toBe(0);
    expect(parseRetryAfter(' 120 ', NOW)).toBe(120_000);
  });

  it('clamps negative seconds to 0', () => {
    expect(parseRetryAfter('-5', NOW)).toBe(0);
  });

  it('reads an IMF-fixdate relative to now', () => {
    expect(parseRetryAfter('Wed, 15 Jan 2025 12:00:30 GMT', NOW)).toBe(30_000);
  });

  it('reads the obsolete RFC 850 and asctime forms as UTC', () => {
    expect(parseRetryAfter('Wednesday, 15-Jan-25 12:01:00 GMT', NOW)).toBe(60_000);
    expect(parseRetryAfter('Wed Jan 15 12:00:10 2025', NOW)).toBe(10_000);
    expect(parseRetryAfter('Wed Jan  5 12:00:10 2025', NOW)).toBe(0);
  });

  it('gives 0 for a date in the past', () => {
    expect(parseRetryAfter('Sun, 06 Nov 1994 08:49:37 GMT', NOW)).toBe(0);
  });

  it('returns null when absent or garbage', () => {
    for (const value of [
      undefined,
      null,
      '',
      '   ',
      'soon',
      '1.5',
      '2s',
      'foo 2',
      'Wed, 15 Foo 2025 12:00:30 GMT',
      'Wed, 15 Jan 2025 25:00:30 GMT',
    ]) {
      expect(parseRetryAfter(value, NOW)).toBeNull();
    }
  });

  it('takes the first of repeated headers', () => {
    expect(parseRetryAfter(['3', '9'], NOW)).toBe(3000);
  });

  it('reads absurdly large delta-seconds as the longest wait, without overflowing (the strategy maximum then caps it)', () => {
    expect(parseRetryAfter('99999999999999999999', NOW)).toBe(MAX_RETRY_AFTER_MS);
    expect(parseRetryAfter('9000000000000', NOW)).toBe(9_000_000_000_000_000);
    expect(parseRetryAfter('-99999999999999999999', NOW)).toBe(0);
    expect(Number.isSafeInteger(MAX_RETRY_AFTER_MS)).toBe(true);
  });

  it('does not read 9e12 as delta-seconds (not 1*DIGIT): the strategy decides', () => {
    expect(parseRetryAfter('9e12', NOW)).toBeNull();
  });
});

describe('parseHttpDate', () => {
  it('maps two-digit years more than 50 years ahead to the previous century', () => {
    expect(parseHttpDate('Sunday, 06-Nov-94 08:49:37 GMT', NOW)).toBe(Date.UTC(1994, 10, 6, 8, 49, 37));
  });
});
