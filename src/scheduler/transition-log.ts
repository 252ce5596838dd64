import type { Settlement } from '../db/dispatch.repository.js';
import type { Logger } from '../logger.js';
import type { TaskRecord } from '../task.js';
import type { DispatchResult } from '../workers/protocol.js';
import type { Decision } from './outcome.js';

/** Observers of what the scheduler did, for metrics and tests. */
export interface SchedulerEvents {
  onDecisions?(queue: string, decisions: Decision[], tasks: TaskRecord[], results: DispatchResult[]): void;
  onRescued?(tasks: TaskRecord[], settlements: Settlement[]): void;
  onRateChange?(queue: string, perSecond: number | null, reason: string): void;
}

const MESSAGES: Record<string, string> = {
  completed: 'task completed',
  retryable: 'task will be retried',
  failed: 'task failed',
  available: 'task interrupted and given back',
};

/**
 * One debug line per transition: taskId, queue, attempt, state, status, durationMs. At the default
 * level (info) the queue summary (queue-summary.ts) reports these as counts every 10 s instead.
 */
export function logDecisions(logger: Logger, decisions: Decision[], tasks: TaskRecord[]): void {
  // Skip building a line per task that pino would drop.
  if (!logger.isLevelEnabled('debug')) return;
  for (let i = 0; i < decisions.length; i++) {
    const { settlement } = decisions[i];
    const line = {
      taskId: settlement.taskId,
      queue: tasks[i]?.queue,
      attempt: settlement.attempt,
      state: settlement.state,
      status: settlement.record.status,
      durationMs: settlement.record.durationMs,
      ...(settlement.state === 'retryable' && settlement.runAt ? { runAt: settlement.runAt.toISOString() } : {}),
      ...(settlement.lastError ? { error: settlement.lastError } : {}),
    };
    logger.debug(line, MESSAGES[settlement.state] ?? `task ${settlement.state}`);
  }
}
