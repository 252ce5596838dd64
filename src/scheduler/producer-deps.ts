import type { BackoffRule } from '../backoff.js';
import type { Clock } from '../clock.js';
import type { QueueConfig } from '../config/schema.js';
import type { DispatchRepository } from '../db/dispatch.repository.js';
import type { Logger } from '../logger.js';
import type { RetryPolicy } from '../strategies/load-plugins.js';
import type { TaskRecord } from '../task.js';
import type { DispatchPool } from '../workers/pool.js';
import type { DispatchResult } from '../workers/protocol.js';
import type { AdaptiveRate } from './adaptive-rate.js';
import type { CancelWatch } from './cancel-watch.js';
import type { QueueLimiter } from './limiters.js';
import type { Decision } from './outcome.js';

/**
 * What one queue's producer is given (producer.ts), shared by its parts: the claim loops
 * (claim-loop.ts), the batch dispatch-and-settle (batch-dispatch.ts) and the rate glue
 * (queue-rate.ts).
 */
export interface ProducerDeps {
  name: string;
  queue: QueueConfig;
  policy: RetryPolicy;
  repository: DispatchRepository;
  pool: DispatchPool;
  limiter: QueueLimiter;
  rate: AdaptiveRate;
  owner: string;
  clock: Clock;
  random: () => number;
  logger: Logger;
  batchSize: number;
  leaseMs: number;
  pollIntervalMs: number;
  /** Paused queues are not claimed. */
  isPaused(): boolean;
  /** False while this scheduler may not claim (stopping, or fenced after losing its heartbeat). */
  mayClaim(): boolean;
  /**
   * False while fenced: a batch claimed earlier but still waiting for its turn is given back
   * (recorded as interrupted) instead of sent, since other schedulers may be rescuing it.
   */
  mayDispatch?(): boolean;
  /** This scheduler's share of the queue's maxConcurrent. */
  concurrencyShare(): number;
  /** This scheduler's share of a queue-wide rate (split among the live schedulers serving it). */
  rateShare?(perSecond: number | null): number | null;
  onDecisions?(decisions: Decision[], tasks: TaskRecord[], results: DispatchResult[]): void;
  /** The attempts in flight, for cutting one whose task is cancelled, and its acknowledgement (spec 11.6). */
  cancels?: Pick<CancelWatch, 'track' | 'untrack' | 'wasCancelled' | 'acknowledge'>;
  onRateChange?(perSecond: number | null, reason: string): void;
}

/** The wait after a failed claim or settle (the database away): 100 ms doubling up to 5 s. */
export const DATABASE_BACKOFF: BackoffRule = { baseMs: 100, maxMs: 5_000 };

/** An error for the log: its message only (no stack, no fields that could carry secrets). */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
