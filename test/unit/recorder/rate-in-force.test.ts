import { describe, expect, it } from 'vitest';
import { rateInForce } from '../../../src/recorder/queue-view.js';

/**
 * `currentRate` (spec 4.10): each live scheduler writes the rate its own limiter enforces with its
 * heartbeat; the queue's rate in force is their sum, unlimited when any is, unknown when none says.
 */
const live = (rates: Record<string, number | null>) => ({ alive: true, rates });
const dead = (rates: Record<string, number | null>) => ({ alive: false, rates });

describe('rateInForce', () => {
  it('sums the shares the live schedulers enforce', () => {
    expect(rateInForce([live({ hooks: 25 }), live({ hooks: 12.5, other: 3 })], 'hooks')).toBe(37.5);
    expect(rateInForce([live({ hooks: 25 }), live({ hooks: 12.5, other: 3 })], 'other')).toBe(3);
  });

  it('is unlimited (null) when any live scheduler is unlimited', () => {
    expect(rateInForce([live({ hooks: 25 }), live({ hooks: null })], 'hooks')).toBeNull();
  });

  it('leaves dead schedulers out: they dispatch nothing', () => {
    expect(rateInForce([dead({ hooks: 1000 }), live({ hooks: 4 })], 'hooks')).toBe(4);
    expect(rateInForce([dead({ hooks: null }), live({ hooks: 4 })], 'hooks')).toBe(4);
  });

  it('is unknown (undefined) when no live scheduler wrote a rate for the queue', () => {
    expect(rateInForce([], 'hooks')).toBeUndefined();
    expect(rateInForce([dead({ hooks: 10 }), live({ other: 10 })], 'hooks')).toBeUndefined();
    // A rate of 0 is a rate, not "unknown".
    expect(rateInForce([live({ hooks: 0 })], 'hooks')).toBe(0);
  });
});
