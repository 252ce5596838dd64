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

/** One log line per transition: taskId, queue, attempt, state, status, durationMs. */
export function logDecisions(logger: Logger, decisions: Decision[], tasks: TaskRecord[]): void {
  // Below info only failures are logged: skip building a line per task that pino would drop.
  const info = logger.isLevelEnabled('info');
  for (let i = 0; i < decisions.length; i++) {
    const { settlement } = decisions[i];
    if (!info && settlement.state !== 'failed') continue;
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
    if (settlement.state === 'failed') logger.warn(line, MESSAGES.failed);
    else logger.info(line, MESSAGES[settlement.state] ?? `task ${settlement.state}`);
  }
}
