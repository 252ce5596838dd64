import type { ResolvedConfig } from '../config/load.js';
import type { DispatchRepository } from '../db/dispatch.repository.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { RetryPolicy } from '../strategies/load-plugins.js';
import type { DispatchPool } from '../workers/pool.js';
import { createProducer, type Producer } from './producer.js';
import type { CancelWatch } from './cancel-watch.js';
import type { QueueLimits } from './scheduler-peers.js';
import { logDecisions, type SchedulerEvents } from './transition-log.js';

/** What every queue's producer shares within one scheduler. */
export interface SharedProducerDeps {
  config: ResolvedConfig;
  policies: Map<string, RetryPolicy>;
  repository: DispatchRepository;
  pool: DispatchPool;
  /** This scheduler's id: the lease owner of what it claims. */
  owner: string;
  clock: Clock;
  random: () => number;
  logger: Logger;
  isPaused(queue: string): boolean;
  /** False while stopping or fenced. */
  mayClaim(): boolean;
  /** False while fenced. */
  mayDispatch(): boolean;
  /** A queue's rate shared among the live schedulers that serve it (scheduler-peers.ts). */
  shareOf(queue: string, perSecond: number | null): number | null;
  events: SchedulerEvents;
  /** Cuts the request of a task cancelled while running (cancel-watch.ts). */
  cancels?: CancelWatch;
}

/** One served queue's producer, wired to the scheduler: its limiter, its rate, its share, its observers. */
export function createQueueProducer({ name, queue, limiter, rate }: QueueLimits, shared: SharedProducerDeps): Producer {
  const { config, logger, events } = shared;
  return createProducer({
    name,
    queue,
    policy: shared.policies.get(name)!,
    repository: shared.repository,
    pool: shared.pool,
    limiter,
    rate,
    owner: shared.owner,
    clock: shared.clock,
    random: shared.random,
    logger,
    batchSize: config.scheduler.batchSize,
    leaseMs: config.scheduler.leaseDuration,
    pollIntervalMs: config.scheduler.pollInterval,
    isPaused: () => shared.isPaused(name),
    mayClaim: shared.mayClaim,
    mayDispatch: shared.mayDispatch,
    concurrencyShare: () => queue.maxConcurrent,
    rateShare: (perSecond) => shared.shareOf(name, perSecond),
    onDecisions: (decisions, tasks, results) => {
      logDecisions(logger, decisions, tasks);
      events.onDecisions?.(name, decisions, tasks, results);
    },
    onRateChange: (perSecond, reason) => events.onRateChange?.(name, perSecond, reason),
    cancels: shared.cancels,
  });
}
