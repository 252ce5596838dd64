import { describe, expect, it } from 'vitest';
import { applyJitter } from '../../../src/strategies/jitter.js';

describe('applyJitter', () => {
  it('none returns the delay untouched', () => {
    expect(applyJitter('none', 1234, () => 0)).toBe(1234);
  });

  it('full is uniform over [0, delay) in whole ms', () => {
    expect([0, 0.5, 0.999999].map((r) => applyJitter('full', 1000, () => r))).toEqual([0, 500, 999]);
  });

  it('equal keeps half and spreads the other half', () => {
    expect([0, 0.5, 0.999999].map((r) => applyJitter('equal', 1000, () => r))).toEqual([500, 750, 999]);
    expect(applyJitter('equal', 3, () => 0)).toBe(1);
  });

  it('draws exactly once, so a stored draw replays', () => {
    let draws = 0;
    applyJitter('full', 1000, () => (draws++, 0.3));
    applyJitter('equal', 1000, () => (draws++, 0.3));
    expect(draws).toBe(2);
  });
});
