import { finishedStates } from '../machines/transition-table.js';
import type { AttemptOutcome, TaskState } from '../task.js';
import { settledState, stateList } from './transition-patch.sql.js';
import type { TaskInsertRow } from './task-insert-row.js';

/**
 * The scheduler's hot path, as data: a claim request, and a settlement (one finished, rescued or
 * interrupted attempt and the task state it leads to). Each driver claims and settles in its own
 * SQL (src/db/drivers/<name>/dispatch.sql.ts); every settle is a compare-and-set on (id, state
 * 'running', attempt, lease owner), so a late writer (a scheduler whose lease was rescued) changes
 * nothing.
 */
export interface ClaimRequest {
  queue: string;
  limit: number;
  owner: string;
  now: Date;
  leaseMs: number;
  /** Running tasks of the queue across all schedulers may not exceed this. */
  maxConcurrent: number;
}

/** One finished (or rescued, or interrupted) attempt and the task state it leads to. */
export interface Settlement {
  taskId: string;
  /** The attempt being settled: the compare-and-set expects the row still at it. */
  attempt: number;
  /** The lease owner the row must still have. */
  owner: string;
  state: TaskState;
  /**
   * The task's attempt counter afterwards: the attempt itself, since numbers never go back. An
   * interrupted attempt (record.outcome) is given back through attempts_given_back instead.
   */
  nextAttempt: number;
  runAt: Date | null;
  /** This attempt's status; null when it got none, so no older status is passed on as the previous one. */
  lastStatus: number | null;
  lastError: string | null;
  record: {
    startedAt: Date;
    finishedAt: Date;
    status: number | null;
    outcome: AttemptOutcome;
    durationMs: number | null;
    error: string | null;
    responseExcerpt: string | null;
  };
  /**
   * The stored result (docs/spec.md 11.4), on a settlement that finishes a task which keeps more
   * than the excerpt or has a callback: written in the settle's transaction, to the row it finishes.
   */
  result?: { body: Uint8Array | null; contentType: string | null };
  /** The callback task (11.5), inserted in the settle's transaction only when its compare-and-set wins. */
  callback?: TaskInsertRow;
}

/** Whether a batch needs the settle that also writes results and callbacks (else the hot one alone). */
export function writesResults(settlements: readonly Settlement[]): boolean {
  for (const s of settlements) if (s.result !== undefined || s.callback !== undefined) return true;
  return false;
}

export const SETTLED_FROM = stateList([settledState()]);

/** The states a settle finalizes (finalized_at, the final attempt kept on the row): the machine's finished ones. */
export const FINISHED_AFTER: ReadonlySet<TaskState> = new Set(finishedStates());
export const NO_FINAL_ATTEMPT = [null, null, null, null, null, null, null];

/**
 * Whether a settlement's attempt stays on the task row (final_* columns) rather than becoming a
 * dispatchr_attempt row: the attempt that finishes the task does (most tasks finish on their first
 * attempt, and the row is written anyway); every other attempt is a row of its own. Reopening a
 * finished task moves its final attempt into dispatchr_attempt (a trigger, migration 0005).
 */
export function keepsOnRow(s: Settlement): boolean {
  return FINISHED_AFTER.has(s.state) && s.nextAttempt === s.attempt;
}
