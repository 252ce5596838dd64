import Bottleneck from 'bottleneck';
import type { QueueConfig } from '../config/schema.js';

/**
 * One limiter per queue meters its rate and its concurrency in this scheduler.
 *
 * Concurrency: a Bottleneck limiter. Bottleneck costs ~2.3 ms per schedule() and runs them serially,
 * so the producer schedules one job per BATCH, never one per task: each claim loop takes a slot
 * (weight = the most it may claim) before it waits for work, and holds it until its batch is
 * settled. The slots' weights add up to maxConcurrent (Bottleneck refuses a job heavier than that).
 *
 * Rate: a token bucket of our own, refilled by our own timer, and taken BEFORE the claim: the
 * producer claims only as many tasks as it was granted tokens for, so a claimed batch never waits
 * for the rate. (A claimed task waiting for tokens holds a lease that runs out meanwhile: when the
 * bucket shrank after the claim, say because another scheduler joined and the rate was split, a
 * batch heavier than the new bucket could never start, was rescued at the lease horizon, and was
 * then sent anyway at shutdown: two deliveries.)
 */
export interface QueueLimiter {
  /** Runs `fn` once `weight` of the queue's concurrency is free, holding it until `fn` settles. */
  run<T>(weight: number, fn: () => Promise<T>): Promise<T>;
  /** Tokens left now (rate-limited queues), or Infinity. */
  tokens(): Promise<number>;
  /** Takes up to `wanted` tokens now; answers how many were granted (all of them when unlimited). */
  take(wanted: number): number;
  /** Returns tokens taken but not used (the claim found fewer due tasks). */
  giveBack(count: number): void;
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
  let left = bucket?.capacity ?? 0; // tokens in the bucket, fractional between refills
  const limiter = new Bottleneck({ maxConcurrent });

  const refill = setInterval(() => {
    if (!bucket) return;
    left = Math.min(bucket.capacity, left + (bucket.perSecond * REFILL_INTERVAL_MS) / 1000);
  }, REFILL_INTERVAL_MS);
  refill.unref();

  return {
    run: (weight, fn) => limiter.schedule({ weight }, fn),
    async tokens() {
      return bucket ? Math.floor(left) : Infinity;
    },
    take(wanted) {
      if (!bucket) return wanted;
      const granted = Math.max(0, Math.min(wanted, Math.floor(left)));
      left -= granted;
      return granted;
    },
    giveBack(count) {
      if (!bucket || count <= 0) return;
      left = Math.min(bucket.capacity, left + count);
    },
    update(perSecond, concurrency, burst) {
      void limiter.updateSettings({ maxConcurrent: concurrency });
      if (perSecond === null) {
        bucket = null;
        return;
      }
      const wasRated = bucket !== null;
      bucket = bucketFor(perSecond, Math.min(burst ?? Math.ceil(perSecond), Math.ceil(perSecond)));
      // Tokens already in the bucket are kept (capped): slowing down never grants a fresh burst.
      left = wasRated ? Math.min(left, bucket.capacity) : bucket.capacity;
    },
    async stop() {
      clearInterval(refill);
      await limiter.stop({ dropWaitingJobs: false }).catch(() => undefined);
    },
  };
}
