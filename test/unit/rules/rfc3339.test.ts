import { describe, expect, it } from 'vitest';
import { formatRfc3339 } from '../../../src/rules/rfc3339.js';

describe('formatRfc3339 (remembers the last time it formatted)', () => {
  it('answers toISOString for every time, including one repeated through another Date object', () => {
    const times = [0, 1_764_200_000_123, 1_764_200_000_123, 1_764_200_000_124, -1, 1_764_200_000_123];
    for (const time of times) expect(formatRfc3339(new Date(time))).toBe(new Date(time).toISOString());
  });

  it('does not hand back a remembered text after the same Date object changed', () => {
    const date = new Date(1_000);
    expect(formatRfc3339(date)).toBe('1970-01-01T00:00:01.000Z');
    date.setTime(2_000);
    expect(formatRfc3339(date)).toBe('1970-01-01T00:00:02.000Z');
  });

  it('throws on an invalid date, like toISOString', () => {
    expect(() => formatRfc3339(new Date(Number.NaN))).toThrow(RangeError);
  });
});
