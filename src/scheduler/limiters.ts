import Bottleneck from 'bottleneck';
import type { QueueConfig } from '../config/schema.js';

/**
 * One Bottleneck limiter per queue meters its rate and its concurrency in this scheduler.
 * Bottleneck costs ~2.3 ms per schedule() and runs them serially, so the producer schedules one job
 * per claimed BATCH with weight = batch size, never one per task; a batch is sized to fit
 * (Bottleneck refuses a job heavier than maxConcurrent).
 *
 * The rate is a token bucket in Bottleneck's reservoir, refilled by our own timer rather than by
 * Bottleneck's reservoirIncrease* settings: Bottleneck 2.19.5 stops its refill heartbeat for good
 * on the second updateSettings() call, and the adaptive rate changes settings often.
 */
export interface QueueLimiter {
  /** Runs `fn` once `weight` slots and rate tokens are free. */
  run<T>(weight: number, fn: () => Promise<T>): Promise<T>;
  /** Tokens left now (rate-limited queues), or Infinity. */
  tokens(): Promise<number>;
  /** Applies a new rate (null: unlimited) and concurrency share. */
  update(perSecond: number | null, maxConcurrent: number, burst?: number): void;
  stop(): Promise<void>;
}

const REFILL_INTERVAL_MS = 100;

interface Bucket {
  perSecond: number;
  capacity: number;
}

function bucketFor(perSecond: number, burst?: number): Bucket {
  return { perSecond, capacity: Math.max(1, burst ?? Math.ceil(perSecond)) };
}

export function createQueueLimiter(queue: QueueConfig, maxConcurrent = queue.maxConcurrent): QueueLimiter {
  let bucket: Bucket | null = queue.rateLimit ? bucketFor(queue.rateLimit.perSecond, queue.rateLimit.burst) : null;
  const limiter = new Bottleneck({ maxConcurrent, ...(bucket ? { reservoir: bucket.capacity } : {}) });
  let carry = 0; // fractional tokens between refills, so 0.5/s still means one every 2 s

  const refill = setInterval(() => {
    if (!bucket) return;
    const current = bucket;
    void limiter.currentReservoir().then((left) => {
      if (left === null || bucket !== current) return;
      carry += (current.perSecond * REFILL_INTERVAL_MS) / 1000;
      const whole = Math.floor(carry);
      carry -= whole;
      const add = Math.min(whole, current.capacity - left);
      if (add > 0) void limiter.incrementReservoir(add);
    });
  }, REFILL_INTERVAL_MS);
  refill.unref();

  return {
    run: (weight, fn) => limiter.schedule({ weight }, fn),
    async tokens() {
      if (!bucket) return Infinity;
      const left = await limiter.currentReservoir();
      return left === null ? Infinity : Math.floor(left);
    },
    update(perSecond, concurrency, burst) {
      if (perSecond === null) {
        bucket = null;
        void limiter.updateSettings({ maxConcurrent: concurrency, reservoir: null });
        return;
      }
      const wasRated = bucket !== null;
      const next = bucketFor(perSecond, Math.min(burst ?? Math.ceil(perSecond), Math.ceil(perSecond)));
      bucket = next;
      // Tokens already in the bucket are kept (capped): slowing down never grants a fresh burst.
      void limiter.currentReservoir().then((left) =>
        limiter.updateSettings({ maxConcurrent: concurrency, reservoir: wasRated && left !== null ? Math.min(left, next.capacity) : next.capacity }),
      );
    },
    async stop() {
      clearInterval(refill);
      await limiter.stop({ dropWaitingJobs: false }).catch(() => undefined);
    },
  };
}
