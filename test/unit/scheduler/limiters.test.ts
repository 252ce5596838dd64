import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { createQueueLimiter, type QueueLimiter } from '../../../src/scheduler/limiters.js';

/**
 * Rate tokens are taken before a claim: whatever is granted can be sent at once, and a shrinking
 * bucket (the rate split among more schedulers) never strands a batch that was already claimed.
 */
function queue(rateLimit?: { perSecond: number; burst?: number }) {
  return parseConfig({
    queues: {
      q: {
        target: 'http://127.0.0.1:9/x',
        allowPrivateNetwork: true,
        maxConcurrent: 50,
        ...(rateLimit ? { rateLimit } : {}),
      },
    },
  }).queues.q;
}

describe('queue limiter tokens', () => {
  let limiter: QueueLimiter;
  // Only intervals are faked (the bucket's refill); Bottleneck keeps real timers.
  beforeEach(() => vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] }));
  afterEach(async () => {
    await limiter?.stop();
    vi.useRealTimers();
  });

  it('grants everything when the queue has no rate limit', async () => {
    limiter = createQueueLimiter(queue());
    expect(limiter.take(200)).toBe(200);
    expect(await limiter.tokens()).toBe(Infinity);
  });

  it('grants at most the tokens in the bucket, takes back what a claim did not use, and refills at the rate', async () => {
    limiter = createQueueLimiter(queue({ perSecond: 10 }));
    expect(limiter.take(50)).toBe(10);
    expect(limiter.take(1)).toBe(0);
    limiter.giveBack(4);
    expect(limiter.take(50)).toBe(4);
    await vi.advanceTimersByTimeAsync(500);
    expect(limiter.take(50)).toBe(5);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(await limiter.tokens()).toBe(10); // capped at the burst
  });

  it('shrinks the bucket to a share without granting a fresh burst', async () => {
    limiter = createQueueLimiter(queue({ perSecond: 40 }));
    expect(limiter.take(30)).toBe(30);
    limiter.update(10, 50); // four schedulers now: 10/s each, bucket of 10
    expect(await limiter.tokens()).toBe(10);
    expect(limiter.take(50)).toBe(10);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(limiter.take(50)).toBe(10);
  });
});
