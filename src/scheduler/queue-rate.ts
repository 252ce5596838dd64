import { describeRateChange, type RateChange } from './adaptive-rate.js';
import type { Decision } from './outcome.js';
import type { ProducerDeps } from './producer-deps.js';

/**
 * The glue between a queue's adaptive rate (adaptive-rate.ts) and its limiter (limiters.ts): it
 * counts what was settled over the last second, feeds backpressure and the periodic tick to the
 * adaptive rate, and applies each change the rate decides to this scheduler's limiter.
 */
export interface QueueRate {
  /** Settled batches' decisions: counted, and backpressure among them slows the queue. */
  observe(decisions: Decision[]): void;
  /** The adaptive rate's periodic look (it may speed the queue up again). */
  tick(now: number): void;
}

export function createQueueRate(deps: ProducerDeps): QueueRate {
  // Settled batches of the last second (time, size), for the observed rate: one entry per batch.
  const completions: Array<{ at: number; count: number }> = [];
  let completedLastSecond = 0;

  /** Tasks settled over the last second. */
  function observedRate(now: number): number {
    while (completions.length && completions[0].at < now - 1000) completedLastSecond -= completions.shift()!.count;
    return completedLastSecond;
  }

  function applyRate(perSecond: number | null, reason: RateChange['reason']): void {
    // The adaptive rate is the queue's total; this scheduler applies its share of it.
    deps.limiter.update(
      deps.rateShare ? deps.rateShare(perSecond) : perSecond,
      deps.concurrencyShare(),
      deps.queue.rateLimit?.burst,
    );
    deps.onRateChange?.(perSecond, reason);
    const line = describeRateChange({ perSecond, reason });
    deps.logger[line.level]({ queue: deps.name, perSecond: line.perSecond, reason }, line.message);
  }

  return {
    observe(decisions) {
      const now = deps.clock.now().getTime();
      completions.push({ at: now, count: decisions.length });
      completedLastSecond += decisions.length;
      observedRate(now);
      if (decisions.some((d) => d.backpressure)) {
        const change = deps.rate.onBackpressure(now, completedLastSecond);
        if (change) applyRate(change.perSecond, change.reason);
      }
    },
    tick(now) {
      const tick = deps.rate.tick(now, observedRate(now));
      if (tick) applyRate(tick.perSecond, tick.reason);
    },
  };
}
