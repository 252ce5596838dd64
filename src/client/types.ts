/**
 * The shapes of Dispatchr's HTTP API (docs/spec.md section 4), as the client sends and receives
 * them. Times stay RFC 3339 strings, exactly as the API answers them; the API may add fields, and
 * the client passes unknown ones through untouched.
 */
export type TaskState = 'scheduled' | 'available' | 'running' | 'retryable' | 'completed' | 'failed' | 'cancelled';

export type KeyMode = 'keep' | 'replace' | 'debounce';

/** What a create did: `false` made a task; else what it did to the task holding its key (spec 11.2). */
export type Deduplicated = false | 'kept' | 'replaced' | 'debounced';

export type TaskMethod = 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'GET' | 'HEAD' | 'OPTIONS';

export type AttemptOutcome = 'completed' | 'retry' | 'failed' | 'lease-expired' | 'interrupted' | 'cancelled';

/**
 * A duration as the API reads it: `"500ms"`, `"90s"`, `"10m"`, `"1h"`, `"2d"`, or a bare number of
 * SECONDS (the API's unit; Dispatchr's config files use milliseconds instead).
 */
export type Duration = string | number;

/** What a task is created from (`enqueue`, `enqueueMany`, `enqueueWithin`). */
export interface TaskInput {
  /** Appended to the queue's target URL; default `""` (the target itself). */
  path?: string;
  /** Default `POST`. `GET` and `HEAD` cannot carry a body. */
  method?: TaskMethod;
  /** Extra request headers (not `content-type`: use `contentType`). */
  headers?: Record<string, string>;
  /**
   * A JSON value, sent as its JSON text (`contentType` defaults to `application/json`), or a
   * `Uint8Array`/`Buffer` sent as those exact bytes (default `application/octet-stream`).
   * `null` or absent: no body.
   */
  body?: unknown;
  /** The exact bytes to send, base64-encoded. Not together with `body`. */
  bodyBase64?: string;
  contentType?: string;
  /** When the task is due: a Date or an RFC 3339 string. A past time means now. Not with `delay`. */
  runAt?: Date | string;
  /** Due this long from now (a bare number is seconds). At most one year. */
  delay?: Duration;
  /** De-duplication key: while an unfinished task of the queue holds it, creates answer that task. */
  key?: string;
  /**
   * What a create that meets the key's holder does (spec 11.2): `keep` (default) answers it as it
   * is; `replace` rewrites its path, method, headers, body and due time; `debounce` moves its due
   * time to the later of its own and this create's, keeping its body. Both change only a holder
   * never delivered; any other is kept.
   */
  keyMode?: KeyMode;
  /** `debounce` only: the holder is never postponed past its creation + this (a bare number is seconds). */
  keyMaxWait?: Duration;
  /** Keep the key reserved this long after the task finishes (at most 7 days); creates meanwhile answer it, kept. */
  keyRetention?: Duration;
  /**
   * 0 to 9, lower claimed first; ties go by due time, then creation order. Absent: the queue's
   * `defaultPriority` (enqueueWithin reads it from the queue's row, which schedulers and recorders
   * write from their config as they start; 0 when no row holds one).
   */
  priority?: number;
  /** Attempts in all (1 to 1,000), overriding the queue's `retry.maxAttempts`; at most the queue's `taskLimits.maxAttempts` (the recorder refuses more, the scheduler clamps what enqueueWithin stored). */
  maxAttempts?: number;
  /** Per-attempt timeout (a bare number is seconds), shorter than `scheduler.leaseDuration`. */
  timeout?: Duration;
  /**
   * The task's own retry settings (spec 11.3), over its queue's: `maxRetryDuration` (a bare number
   * is seconds; at most the queue's retry.maxRetryDuration) and `options` of the queue's strategy
   * (e.g. `{ initialDelay: '100ms' }`; durations as in the config). Attempts: `maxAttempts`.
   */
  retry?: TaskRetryInput;
  /** A callback task enqueued to `queue` (at `path`) when this task completes, in the same transaction (spec 11.5). */
  onComplete?: CallbackTarget;
  /** The same when it fails: a non-retryable answer, or attempts or retry duration used up. Never on a cancel. */
  onFailure?: CallbackTarget;
}

/** Where a callback task goes: a queue and a path inside its target (spec 11.5). */
export interface CallbackTarget {
  queue: string;
  /** Appended to the queue's target; default `""` (the target itself). */
  path?: string;
}

/**
 * The body of a callback task (spec 11.5), JSON: what a handler of the callback queue receives.
 * `result` is the finished task's stored result, null when no response arrived.
 */
export interface CallbackBody {
  taskId: string;
  queue: string;
  state: 'completed' | 'failed';
  /** Attempts the task used (interrupted ones given back are not counted). */
  attempts: number;
  lastStatus: number | null;
  result: { contentType: string | null; bodyBase64: string } | null;
}

export interface TaskRetryInput {
  maxRetryDuration?: Duration;
  options?: Record<string, unknown>;
}

export interface Attempt {
  number: number;
  startedAt: string;
  finishedAt: string | null;
  /** HTTP status of the answer; null when none arrived (or still running). */
  status: number | null;
  /** null while the attempt is running. */
  outcome: AttemptOutcome | null;
  durationMs: number | null;
  error: string | null;
  responseExcerpt: string | null;
}

/**
 * A view of the task resource (spec 4.11): `full` has every field; `basic` leaves out `headers`,
 * `body` and `bodyBase64`. Lists answer `basic` unless asked, `get()` answers `full`.
 */
export type TaskView = 'basic' | 'full';

/** The task resource (spec 4.11). Sensitive header values are shown as `[redacted]`. */
export interface Task {
  id: string;
  queue: string;
  state: TaskState;
  path: string;
  method: string;
  /** Full view only. */
  headers?: Record<string, string>;
  /**
   * Full view only. The body as JSON when `contentType` is a JSON type and the bytes are UTF-8 JSON
   * text (null when there is no body).
   */
  body?: unknown;
  /** Full view only. The exact bytes, when the body is not shown as `body`. */
  bodyBase64?: string;
  contentType: string | null;
  /** The body's size in bytes (null: no body), in both views. */
  bodyBytes: number | null;
  runAt: string;
  attempt: number;
  /** Attempts interrupted (shutdown, fencing) and given back: `attempt - attemptsGivenBack` counts against the limit. */
  attemptsGivenBack: number;
  /** 0 to 9, lower claimed first: the task's own, else its queue's default when it was created. */
  priority: number;
  maxAttempts: number | null;
  timeoutMs: number | null;
  key: string | null;
  /** With a key: its mode; `keyDeadline` is createdAt + keyMaxWait (null: no bound), `keyRetentionMs` null: released when it finishes. */
  keyMode?: KeyMode | null;
  keyDeadline?: string | null;
  keyRetentionMs?: number | null;
  traceparent: string | null;
  /** The task's own retry settings as stored (maxRetryDuration in ms); null: its queue's. */
  retry?: { maxRetryDurationMs: number | null; options: Record<string, unknown> | null } | null;
  /** The cron entry whose fire created the task, and that fire time; null for other tasks. */
  cron: string | null;
  cronFireAt: string | null;
  createdAt: string;
  updatedAt: string;
  finalizedAt: string | null;
  lastStatus: number | null;
  lastError: string | null;
  /** The task's own callbacks (null: its queue's, if any), and on a callback task the task it reports on (spec 11.5). */
  onComplete?: { queue: string; path: string } | null;
  onFailure?: { queue: string; path: string } | null;
  callbackOf?: string | null;
  /**
   * `get()` in the full view only: the final attempt's response body (up to the queue's
   * `response.maxBytes`, base64) and content type (null when not kept); null while unfinished (spec 11.4).
   */
  result?: { contentType: string | null; bodyBase64: string } | null;
  /** What the scheduler runs the task with (the task's values, else the queue's, within its caps); null when the recorder does not have its queue. */
  effective?: { maxAttempts: number; timeoutMs: number } | null;
  /** Every attempt, oldest first: only on `get()`. */
  attempts?: Attempt[];
}

/** A created task; `deduplicated` is false when it was made, else what the create did to the task holding `key`. */
export interface EnqueuedTask extends Task {
  deduplicated: Deduplicated;
}

export interface TaskPage {
  tasks: Task[];
  /** Pass as `cursor` for the next page; null on the last one. */
  nextCursor: string | null;
}

export interface ListOptions {
  state?: TaskState;
  /** 1 to 1,000; the API's default is 100. A page may hold fewer: it ends at the recorder's byte budget. */
  limit?: number;
  cursor?: string;
  /** Default `basic` (no headers or body); `full` for every field. */
  view?: TaskView;
}

export interface GetOptions {
  /** Default `full`; `basic` leaves out headers and body. */
  view?: TaskView;
}

/** The API's error body (`application/problem+json`, spec 4.12). */
export interface Problem {
  code: string;
  title: string;
  status: number;
  detail: string;
  errors: ProblemError[];
}

export interface ProblemError {
  /** Dotted from the request body (`tasks.3.runAt`), a query parameter, a header name, or `(root)`. */
  path: string;
  message: string;
}

/** Per-call options. */
export interface CallOptions {
  /** Cancels the call, including its retries. */
  signal?: AbortSignal;
}

/** Options of a create. */
export interface CreateOptions extends CallOptions {
  /**
   * Sent as `Idempotency-Key`. By default the client makes one per call and reuses it on each of its
   * own retries; pass your own to stay safe across your retries too (e.g. after a process restart).
   */
  idempotencyKey?: string;
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
