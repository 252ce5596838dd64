import type { ParameterizedContext } from 'koa';
import type { Clock } from '../clock.js';
import type { ResolvedConfig } from '../config/load.js';
import type { IdempotencyRepository } from '../db/idempotency.repository.js';
import type { Orm } from '../db/orm.js';
import type { QueueStateRepository } from '../db/queue-state.repository.js';
import type { TaskRepository } from '../db/task.repository.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Principal } from './auth.js';
import type { CreateBatcher } from './create-batcher.js';

/** What every route handler gets: config, time, logs, and the database (opened on first use). */
export interface Stores {
  db: Orm;
  tasks: TaskRepository;
  idempotency: IdempotencyRepository;
  queueStates: QueueStateRepository;
  creates: CreateBatcher;
}

export interface RecorderDeps {
  config: ResolvedConfig;
  clock: Clock;
  logger: Logger;
  /** Served at GET /metrics; creates count into `enqueued`. */
  metrics: Metrics;
  /** Opens the database on first call; a failure (database down) is retried on the next call. */
  stores(): Promise<Stores>;
}

export interface RecorderState {
  principal: Principal;
}

export type RecorderContext = ParameterizedContext<RecorderState, { params: Record<string, string> }>;
