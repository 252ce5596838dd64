import type { SchedulerResource } from '../recorder/scheduler-view.js';
import type { CronEntryResource, CronRunResource, CronTriggerResource } from '../recorder/schemas/cron.schema.js';
import type { QueueResource, TaskResource } from '../recorder/schemas/resource.schema.js';
import type { TaskState } from '../task.js';

/**
 * The operations both modes of the operator CLI share. One implementation reads and writes the
 * database named by --config (database-backend.ts); the other calls a recorder at --url
 * (http-backend.ts). Both answer the API's own resources (rendered by the recorder's render.ts in
 * database mode), so `--json` prints the same document whichever mode produced it, and a command
 * calls one method and prints.
 */
export interface TaskFilterInput {
  queue?: string;
  states?: TaskState[];
  since?: Date;
  until?: Date;
  /** A prefix of the task path. */
  path?: string;
  /** Text in the body, a header name, or a non-sensitive header value. */
  search?: string;
}

export interface TaskListInput extends TaskFilterInput {
  limit: number;
  cursor?: string;
}

export type RetryState = 'failed' | 'cancelled';

export interface RetryFilterInput extends Omit<TaskFilterInput, 'states'> {
  states: RetryState[];
}

export interface TaskPage {
  tasks: TaskResource[];
  nextCursor: string | null;
}

export interface BulkRetryResult {
  matched: number;
  retried: number;
}

export interface EnqueueResult {
  task: TaskResource;
  /** false: a task was made; else what the create did to the task holding its key (spec 11.2). */
  deduplicated: false | 'kept' | 'replaced' | 'debounced';
}

export type TaskAction = 'cancel' | 'retry' | 'run';

/** `cron show`: the entry and its recent runs (GET /v1/cron/{name} and its /runs). */
export interface CronEntryDetail {
  entry: CronEntryResource;
  runs: CronRunResource[];
}

/** How many runs `cron show` lists. */
export const CRON_SHOW_RUNS = 20;

export interface OperatorBackend {
  readonly mode: 'database' | 'recorder';
  listTasks(input: TaskListInput): Promise<TaskPage>;
  /** The task with every attempt and `waiting` (why it is not running yet). */
  showTask(id: string): Promise<TaskResource>;
  actOnTask(id: string, action: TaskAction): Promise<TaskResource>;
  /** Cancels the unfinished task of `queue` holding `key` (spec 11.2); none is task_not_found. */
  cancelByKey(queue: string, key: string): Promise<TaskResource>;
  /** How many tasks a bulk retry would take now (for the confirmation). */
  countRetryable(filter: RetryFilterInput): Promise<number>;
  /** `onProgress` hears the running total after each batch where the backend can tell. */
  retryMatching(filter: RetryFilterInput, onProgress?: (retried: number) => void): Promise<BulkRetryResult>;
  listQueues(): Promise<QueueResource[]>;
  setPaused(queue: string, paused: boolean): Promise<QueueResource>;
  purgeQueue(queue: string): Promise<{ queue: string; purged: number }>;
  /** `input` is a task as the create API takes it (spec 4.4); both modes validate it the same way. */
  enqueue(queue: string, input: Record<string, unknown>): Promise<EnqueueResult>;
  /** The registered schedulers, alive ones first (GET /v1/schedulers). */
  listSchedulers(): Promise<SchedulerResource[]>;
  /** Every cron entry, by name (GET /v1/cron). */
  listCron(): Promise<CronEntryResource[]>;
  showCron(name: string): Promise<CronEntryDetail>;
  /** Fires the entry now, as an extra run (POST /v1/cron/{name}/trigger). */
  triggerCron(name: string): Promise<CronTriggerResource>;
  setCronPaused(name: string, paused: boolean): Promise<CronEntryResource>;
  close(): Promise<void>;
}
