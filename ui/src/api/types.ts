/**
 * What the public API answers (docs/spec.md), as far as the dashboard reads it. Fields the API
 * may not have yet are optional: the page shows what is there.
 */
import type {
  Attempt,
  CronEntry,
  CronRun,
  CronSource,
  CronStatus,
  CronTriggered,
  Problem,
  Task as ApiTask,
  TaskPage as ApiTaskPage,
} from '../../../src/client/types';
import {
  FINISHED_STATES as FINISHED,
  TASK_STATES,
  WAITING_STATES as WAITING,
  type TaskState,
} from '../../../src/task-states';

// The task model and the task, attempt, page, problem and cron shapes are the server's and the SDK's own
// (src/task.ts imports nothing; src/client/types.ts is types only): one definition, no drift.
export {
  TASK_STATES,
  type Attempt,
  type CronEntry,
  type CronRun,
  type CronSource,
  type CronStatus,
  type CronTriggered,
  type Problem,
  type TaskState,
};
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
  /** 0 (claimed first) to 9: a task's priority when it sends none. */
  defaultPriority?: number;
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
