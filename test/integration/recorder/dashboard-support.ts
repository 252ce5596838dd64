import { createDispatchRepository } from '../../../src/db/dispatch.repository.js';
import type { Orm } from '../../../src/db/orm.js';
import type { AttemptOutcome, TaskRecord, TaskState } from '../../../src/task.js';

/**
 * Puts tasks into the states a scheduler would, through the scheduler's own claim and settle: the
 * dashboard's reads count what those writes leave (finalized_at, attempt rows, leases).
 */
export async function claimAll(db: Orm, queue: string, owner: string, now: Date): Promise<TaskRecord[]> {
  return createDispatchRepository(db).claim({ queue, limit: 1000, owner, now, leaseMs: 600_000, maxConcurrent: 1000 });
}

export interface Outcome {
  state: TaskState;
  outcome: AttemptOutcome;
  status: number | null;
  error: string | null;
  /** When the attempt ended: the settle's time (finalized_at) and the attempt's finished_at. */
  at: Date;
}

/** Settles claimed tasks (claimed by `owner`) with one outcome. */
export async function settleAs(db: Orm, tasks: readonly TaskRecord[], owner: string, outcome: Outcome): Promise<void> {
  const won = await createDispatchRepository(db).settle(
    tasks.map((task) => ({
      taskId: task.id,
      attempt: task.attempt,
      owner,
      state: outcome.state,
      nextAttempt: task.attempt,
      runAt: outcome.state === 'retryable' ? new Date(outcome.at.getTime() + 3_600_000) : null,
      lastStatus: outcome.status,
      lastError: outcome.error,
      record: {
        startedAt: new Date(outcome.at.getTime() - 10),
        finishedAt: outcome.at,
        status: outcome.status,
        outcome: outcome.outcome,
        durationMs: 10,
        error: outcome.error,
        responseExcerpt: null,
      },
    })),
    outcome.at,
  );
  if (won.size !== tasks.length) throw new Error(`settled ${won.size} of ${tasks.length} tasks`);
}
