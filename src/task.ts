/** The task model shared by every module: states (task-states.ts), records, attempt outcomes. Imports nothing of ours but its states. */

export {
  FINISHED_STATES,
  isTaskState,
  TASK_STATES,
  UNFINISHED_STATES,
  WAITING_STATES,
  type TaskState,
} from './task-states.js';
import type { TaskState } from './task-states.js';

export const ATTEMPT_OUTCOMES = ['completed', 'retry', 'failed', 'lease-expired', 'interrupted'] as const;
export type AttemptOutcome = (typeof ATTEMPT_OUTCOMES)[number];

/** A task row as the repository returns it. Times are Dates; the body is its exact bytes. */
export interface TaskRecord {
  id: string;
  queue: string;
  state: TaskState;
  path: string;
  method: string;
  headers: Record<string, string>;
  body: Buffer | null;
  contentType: string | null;
  runAt: Date;
  /** The number of the current or latest attempt (0 before the first); restarts at a manual retry. */
  attempt: number;
  /**
   * Of those attempts, how many were interrupted and given back (not counted against maxAttempts):
   * `attempt - attemptsGivenBack` is the budget used. Numbers never repeat for that (spec 4.8).
   */
  attemptsGivenBack: number;
  maxAttempts: number | null;
  timeoutMs: number | null;
  key: string | null;
  leaseOwner: string | null;
  leaseExpiresAt: Date | null;
  /** When the current (or last) attempt started. */
  attemptedAt: Date | null;
  traceparent: string | null;
  /** The cron entry whose fire created the task (docs/spec.md, "Cron"), and that fire time. */
  cron: string | null;
  cronFireAt: Date | null;
  firstAttemptAt: Date | null;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: Date;
  updatedAt: Date;
  finalizedAt: Date | null;
}

export interface AttemptRecord {
  taskId: string;
  number: number;
  startedAt: Date;
  finishedAt: Date | null;
  status: number | null;
  outcome: AttemptOutcome;
  durationMs: number | null;
  error: string | null;
  responseExcerpt: string | null;
}

/** What a caller supplies to create a task; ids and times are filled in by the repository. */
export interface NewTask {
  id?: string;
  queue: string;
  path: string;
  method: string;
  headers: Record<string, string>;
  body: Buffer | null;
  /** The body as text when Dispatchr itself serialized it from JSON: spares decoding it again. */
  bodyText?: string;
  contentType: string | null;
  runAt: Date;
  maxAttempts: number | null;
  timeoutMs: number | null;
  key: string | null;
  traceparent: string | null;
}
