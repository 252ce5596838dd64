/**
 * What the public API answers (docs/spec.md), as far as the dashboard reads it. Fields the API
 * may not have yet are optional: the page shows what is there.
 */
export const TASK_STATES = [
  'scheduled',
  'available',
  'running',
  'retryable',
  'completed',
  'failed',
  'cancelled',
] as const;
export type TaskState = (typeof TASK_STATES)[number];

export const WAITING_STATES: readonly TaskState[] = ['scheduled', 'available', 'retryable'];
export const FINISHED_STATES: readonly TaskState[] = ['completed', 'failed', 'cancelled'];

export type Role = 'read' | 'enqueue' | 'admin';

export interface Session {
  open: boolean;
  role: Role;
  name: string | null;
  queues: string[] | null;
}

/** A problem details answer (application/problem+json), or one made up for a network failure. */
export interface Problem {
  code: string;
  title: string;
  status: number;
  detail: string;
  errors: { path: string; message: string }[];
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

export interface Attempt {
  number: number;
  startedAt: string;
  finishedAt: string | null;
  status: number | null;
  outcome: string | null;
  durationMs: number | null;
  error: string | null;
  responseExcerpt: string | null;
}

export interface Task {
  id: string;
  queue: string;
  state: TaskState;
  path: string;
  method: string;
  headers?: Record<string, string>;
  body?: unknown;
  bodyBase64?: string;
  contentType: string | null;
  bodyBytes: number | null;
  runAt: string;
  attempt: number;
  attemptsGivenBack: number;
  maxAttempts: number | null;
  timeoutMs: number | null;
  key: string | null;
  traceparent: string | null;
  createdAt: string;
  updatedAt: string;
  finalizedAt: string | null;
  lastStatus: number | null;
  lastError: string | null;
  effective?: { maxAttempts: number; timeoutMs: number } | null;
  attempts?: Attempt[];
  waiting?: { code: string; message: string } | null;
}

export interface TaskPage {
  tasks: Task[];
  nextCursor: string | null;
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
