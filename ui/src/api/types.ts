/**
 * What the public API answers (docs/spec.md), as far as the dashboard reads it. Fields the API
 * may not have yet are optional: the page shows what is there.
 */
import type { Attempt, Problem, Task as ApiTask, TaskPage as ApiTaskPage } from '../../../src/client/types';
import {
  FINISHED_STATES as FINISHED,
  TASK_STATES,
  WAITING_STATES as WAITING,
  type TaskState,
} from '../../../src/task-states';

// The task model and the task, attempt, page and problem shapes are the server's and the SDK's own
// (src/task.ts imports nothing; src/client/types.ts is types only): one definition, no drift.
export { TASK_STATES, type Attempt, type Problem, type TaskState };
export const WAITING_STATES: readonly TaskState[] = WAITING;
export const FINISHED_STATES: readonly TaskState[] = FINISHED;

export type Role = 'read' | 'enqueue' | 'admin';

export interface Session {
  open: boolean;
  role: Role;
  name: string | null;
  queues: string[] | null;
}

export interface QueueConfig {
  target: string;
  timeout: number;
  maxAttempts: number | null;
  retry: { strategy: string; options: Record<string, unknown>; maxRetryDuration?: number };
}

export interface Queue {
  name: string;
  paused: boolean;
  counts: Record<TaskState, number>;
  oldestDueAgeSeconds: number;
  maxConcurrent: number;
  rateLimit: { perSecond: number; burst: number | null } | null;
  currentRate: { perSecond: number | null } | null;
  config?: QueueConfig;
}

/** A task as the API answers it, with why it waits (GET /v1/tasks/:id, spec 4.11). */
export interface Task extends ApiTask {
  waiting?: { code: string; message: string } | null;
}

export interface TaskPage extends ApiTaskPage {
  tasks: Task[];
}

export interface Scheduler {
  id: string;
  host: string;
  pid: number;
  queues: string[];
  startedAt: string;
  heartbeatAt: string;
  alive: boolean;
  silentMs: number;
  rates: Record<string, number | null>;
  leasesHeld?: number;
}

export interface ActivityMinute {
  minute: string;
  queue: string;
  completed: number;
  failed: number;
  retried: number;
}

export interface Activity {
  since: string;
  minutes: ActivityMinute[];
}

export interface FailureGroup {
  queue: string;
  lastStatus: number | null;
  lastError: string | null;
  count: number;
  newestTaskId: string;
  newestAt: string;
  /** The group's tasks among those scanned, most recently failed first, at most 1,000 (one bulk call). */
  taskIds: string[];
}

export interface Failures {
  groups: FailureGroup[];
  scanned: number;
  complete: boolean;
}

/** The filter words of GET /v1/tasks and the bulk routes. */
export interface TaskFilter {
  queue?: string;
  state?: string;
  since?: string;
  until?: string;
  path?: string;
  search?: string;
}

/** Bulk retry and cancel: `{ matched, retried }` or `{ matched, cancelled }` (a dry run changes nothing: 0). */
export interface BulkResult {
  matched: number;
  retried?: number;
  cancelled?: number;
}

/** Where a cron entry is defined: dispatchr.yml (changed only there) or the API. */
export type CronSource = 'config' | 'api';

/** Whether an entry fires (active), or why not; orphaned: a config entry the config no longer has. */
export type CronStatus = 'active' | 'paused' | 'disabled' | 'orphaned';

/** A recurring task's definition and where it stands (GET /v1/cron, docs/spec.md "Cron"). */
export interface CronEntry {
  name: string;
  source: CronSource;
  status: CronStatus;
  queue: string;
  schedule: string;
  timezone: string;
  path: string;
  method: string;
  /** Sensitive values come as `[redacted]`. */
  headers: Record<string, string>;
  body: unknown;
  maxAttempts: number | null;
  timeoutMs: number | null;
  enabled: boolean;
  catchUp: 'skip' | 'last' | 'all';
  overlap: 'allow' | 'skip';
  /** Up to five, while it is active (the first may be due and not yet fired). */
  nextFireTimes: string[];
  lastFireAt: string | null;
  lastTaskId: string | null;
  lastTaskState: TaskState | null;
  createdAt: string;
  updatedAt: string;
}

/** One fire time of an entry: the task it created, or skipped (its previous run unfinished). */
export interface CronRun {
  fireAt: string;
  /** manual: "Trigger now"; null for runs recorded before kinds were. */
  kind: 'scheduled' | 'manual' | null;
  outcome: 'fired' | 'skipped';
  taskId: string | null;
  taskState: TaskState | null;
  createdAt: string;
  finalizedAt: string | null;
}

export interface CronTriggered {
  name: string;
  taskId: string;
  fireAt: string;
}
