import { describe, expect, it } from 'vitest';
import { AdaptiveRate, describeRateChange } from '../../../src/scheduler/adaptive-rate.js';

describe("AdaptiveRate (backpressure as the scheduler's job)", () => {
  it('halves a configured rate on a 429/503/timeout, at most once per cooldown, then recovers by quarters', () => {
    const rate = new AdaptiveRate({ configuredPerSecond: 100 });
    expect(rate.onBackpressure(0, 100)).toEqual({ perSecond: 50, reason: 'slowed' });
    expect(rate.onBackpressure(500, 50)).toBeNull(); // inside the cooldown, but a signal all the same
    expect(rate.tick(5_000, 50)).toBeNull(); // not quiet for 5 s since the last signal
    expect(rate.tick(5_500, 50)).toEqual({ perSecond: 64, reason: 'recovering' });
    expect(rate.tick(10_500, 64)).toEqual({ perSecond: 81, reason: 'recovering' });
    expect(rate.tick(15_500, 81)).toEqual({ perSecond: 100, reason: 'recovered' });
    expect(rate.tick(20_500, 100)).toBeNull();
  });

  it('a configured rate recovers step by step even when the queue is quiet', () => {
    const rate = new AdaptiveRate({ configuredPerSecond: 100 });
    rate.onBackpressure(0, 100);
    expect(rate.tick(5_000, 0)).toEqual({ perSecond: 64, reason: 'recovering' });
  });

  it('an unlimited queue slows from what it was doing, and is unlimited again once the limit no longer binds', () => {
    const rate = new AdaptiveRate({ configuredPerSecond: null });
    expect(rate.onBackpressure(0, 400)).toEqual({ perSecond: 200, reason: 'slowed' });
    // Still pressed against the limit (it does 200/s): one quarter more.
    expect(rate.tick(5_000, 200)).toEqual({ perSecond: 251, reason: 'recovering' });
    // The queue went quiet: the next step (315) is more than twice what it does, so the limit goes.
    expect(rate.tick(10_000, 20)).toEqual({ perSecond: null, reason: 'recovered' });
    expect(rate.perSecond).toBeNull();
  });

  it('one 503 on a quiet unlimited queue throttles it for one quiet period, not for minutes', () => {
    const rate = new AdaptiveRate({ configuredPerSecond: null });
    expect(rate.onBackpressure(0, 1)).toEqual({ perSecond: 1, reason: 'slowed' });
    expect(rate.tick(5_000, 0)).toEqual({ perSecond: null, reason: 'recovered' });
  });
});

describe('describeRateChange (the log line of a rate change)', () => {
  it('warns of a slow-down, and reports recovery as info with the rate as a number or "unlimited", never null', () => {
    const rate = new AdaptiveRate({ configuredPerSecond: null });
    const slowed = rate.onBackpressure(0, 40)!;
    expect(describeRateChange(slowed)).toEqual({
      level: 'warn',
      message: 'target pushes back; queue slows down',
      perSecond: 20,
    });
    const recovering = rate.tick(5_000, 100)!;
    expect(describeRateChange(recovering)).toEqual({ level: 'info', message: 'queue rate recovering', perSecond: 26 });
    const recovered = rate.tick(10_000, 0)!;
    expect(recovered.perSecond).toBeNull();
    expect(describeRateChange(recovered)).toEqual({
      level: 'info',
      message: 'queue rate recovered',
      perSecond: 'unlimited',
    });
  });
});
