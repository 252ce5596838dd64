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

/** `cancelled`: an operator cancelled the task while this attempt was in flight (spec 11.6). */
export const ATTEMPT_OUTCOMES = ['completed', 'retry', 'failed', 'lease-expired', 'interrupted', 'cancelled'] as const;
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
  /** 0 to 9, lower claimed first (docs/spec.md 11.1); absent on records built before it existed: 0. */
  priority?: number;
  /**
   * The task's own retry settings (docs/spec.md 11.3) as the JSON text stored, a TaskRetry
   * (rules/task-retry.ts); null: the queue's. Kept as text: the scheduler caches what it parsed by it.
   */
  retry?: string | null;
  /** What a create that meets this task's key does (docs/spec.md 11.2); null: the task has no key. */
  keyMode?: KeyMode | null;
  /** The latest due time a debounce may give it: created_at + keyMaxWait; null: no bound. */
  keyDeadline?: Date | null;
  /** How long the key stays reserved once the task finishes; null: released at once. */
  keyRetentionMs?: number | null;
  /** The task's own callback targets (docs/spec.md 11.5); absent or null: the queue's, if any. */
  onComplete?: CallbackTarget | null;
  onFailure?: CallbackTarget | null;
  /** Set on a callback task: the task it reports on. A callback task never gets a callback. */
  callbackOf?: string | null;
}

/** Where a callback task goes: a queue and a path inside its target (docs/spec.md 11.5). */
export interface CallbackTarget {
  queue: string;
  path: string;
}

/** keep: answer the holder; replace: rewrite its request and due time; debounce: postpone it (spec 11.2, rules/task-keys.ts). */
export type KeyMode = 'keep' | 'replace' | 'debounce';

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
  /** 0 to 9, lower claimed first; absent or null: the queue's defaultPriority (docs/spec.md 11.1). */
  priority?: number | null;
  /** JSON text of the task's TaskRetry (rules/task-retry.ts); absent or null: the queue's settings. */
  retry?: string | null;
  onComplete?: CallbackTarget | null;
  onFailure?: CallbackTarget | null;
  callbackOf?: string | null;
  /** With `key` only (docs/spec.md 11.2); absent: keep, no bound, no retention. */
  keyMode?: KeyMode;
  keyMaxWaitMs?: number | null;
  keyRetentionMs?: number | null;
}
