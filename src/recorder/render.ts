import { isUtf8 } from 'node:buffer';
import type { WaitingReason } from '../explain/waiting-reason.js';
import type { AttemptRecord, TaskRecord } from '../task.js';
import { isJsonMediaType } from '../rules/task-fields.js';
import type { TaskResource, TaskView } from './schemas/resource.schema.js';
import { redactHeaders } from '../rules/task-headers.js';
import { formatRfc3339 } from '../rules/rfc3339.js';
import { effectiveOf, type LimitsConfig } from './effective.js';
import type { TaskResult } from '../db/task-result.repository.js';
import { parseTaskRetryText } from '../rules/task-retry.js';

/**
 * Records → the API's resources: RFC 3339 UTC times, redacted headers, the body as JSON or base64.
 *
 * Two views, as Cloud Tasks has (docs/spec.md 4.11): `full` is every field; `basic` leaves out
 * `headers`, `body` and `bodyBase64`, the fields whose size the task's creator chose, so a page of
 * a thousand basic tasks stays small whatever the tasks carry. `bodyBytes` says in both what the
 * body weighs, so a caller can decide whether to read the task in full.
 *
 * What renderTask takes: a whole record, or a listed one (db/task.repository.ts's ListedTask: no
 * body, its size instead), given its body for the full view.
 */
export type RenderableTask = Omit<TaskRecord, 'body'> & { body?: Buffer | null; bodyBytes?: number | null };

export interface RenderOptions {
  /** Default `full`. */
  view?: TaskView;
  /** GET /v1/tasks/{id} only. */
  attempts?: readonly AttemptRecord[];
  /** `waiting` is given only for a single task (GET /v1/tasks/{id}): explaining it costs a few queries. */
  waiting?: WaitingReason | null;
  /** The configuration `effective` is computed from (effective.ts); without it the field is left out. */
  config?: LimitsConfig;
  /** GET /v1/tasks/{id} in the full view only: the stored result (spec 11.4). */
  result?: TaskResult | null;
}

const isoOrNull = (date: Date | null): string | null => (date === null ? null : formatRfc3339(date));

export function renderTask(task: RenderableTask, options: RenderOptions = {}): TaskResource {
  const full = (options.view ?? 'full') === 'full';
  if (full && task.body === undefined) throw new Error(`renderTask: the full view of task ${task.id} needs its body`);
  const resource: TaskResource = {
    id: task.id,
    queue: task.queue,
    state: task.state,
    path: task.path,
    method: task.method,
    ...(full ? { headers: redactHeaders(task.headers), ...renderBody(task.body ?? null, task.contentType) } : {}),
    contentType: task.contentType,
    bodyBytes: task.bodyBytes !== undefined ? task.bodyBytes : (task.body?.length ?? null),
    runAt: formatRfc3339(task.runAt),
    attempt: task.attempt,
    attemptsGivenBack: task.attemptsGivenBack,
    priority: task.priority ?? 0,
    maxAttempts: task.maxAttempts,
    timeoutMs: task.timeoutMs,
    key: task.key,
    keyMode: task.keyMode ?? (task.key === null ? null : 'keep'),
    keyDeadline: isoOrNull(task.keyDeadline ?? null),
    keyRetentionMs: task.keyRetentionMs ?? null,
    traceparent: task.traceparent,
    retry: renderRetry(task.retry),
    cron: task.cron,
    cronFireAt: isoOrNull(task.cronFireAt),
    createdAt: formatRfc3339(task.createdAt),
    updatedAt: formatRfc3339(task.updatedAt),
    finalizedAt: isoOrNull(task.finalizedAt),
    lastStatus: task.lastStatus,
    lastError: task.lastError,
  };
  resource.onComplete = task.onComplete ?? null;
  resource.onFailure = task.onFailure ?? null;
  resource.callbackOf = task.callbackOf ?? null;
  if (full && options.result !== undefined)
    resource.result =
      options.result === null
        ? null
        : { contentType: options.result.contentType, bodyBase64: options.result.body.toString('base64') };
  if (options.config) resource.effective = effectiveOf(task, options.config);
  if (options.attempts) resource.attempts = renderAttempts(task, options.attempts);
  // explainWaiting's "running" and "finished" never reach here: waitingReasonOf answers null for those.
  if (options.waiting !== undefined) resource.waiting = options.waiting as TaskResource['waiting'];
  return resource;
}

/** The stored settings as an object; null when there are none, or when another writer stored unreadable text (its lastError says so once it runs). */
function renderRetry(text: string | null | undefined): TaskResource['retry'] {
  if (text === null || text === undefined) return null;
  const parsed = parseTaskRetryText(text);
  return 'retry' in parsed ? parsed.retry : null;
}

/**
 * `body` when the content type is JSON and the stored bytes are JSON text in UTF-8 (RFC 8259), so
 * the parsed value stands for those bytes; otherwise `bodyBase64`, the exact bytes. Dispatchr's own
 * creates always store JSON text for JSON types; bytes written otherwise (SQL, `enqueueWithin`, or
 * `bodyBase64` with a JSON type) that are not JSON, or not UTF-8, are shown as they are rather than
 * decoded with replacement characters or refused.
 */
export function renderBody(
  body: Buffer | null,
  contentType: string | null,
): { body: unknown } | { bodyBase64: string } {
  if (body === null) return { body: null };
  const json = parseJsonBody(body, contentType);
  return json ? { body: json.value } : { bodyBase64: body.toString('base64') };
}

/** The body's parsed value when it is shown as `body` (above); undefined when it is shown as base64. */
export function parseJsonBody(body: Buffer, contentType: string | null): { value: unknown } | undefined {
  if (contentType === null || !isJsonMediaType(contentType) || !isUtf8(body)) return undefined;
  try {
    return { value: JSON.parse(body.toString('utf8')) as unknown };
  } catch {
    return undefined; // not JSON text
  }
}

/**
 * Finished attempts come from the attempt table. A running task's current attempt has no row yet
 * (it is written when the attempt settles), so it is shown from the lease: started at
 * `attemptedAt`, outcome null. (Numbers may repeat after a manual retry, which restarts the count.)
 */
function renderAttempts(
  task: RenderableTask,
  attempts: readonly AttemptRecord[],
): NonNullable<TaskResource['attempts']> {
  const shown: NonNullable<TaskResource['attempts']> = attempts.map((attempt) => ({
    number: attempt.number,
    startedAt: formatRfc3339(attempt.startedAt),
    finishedAt: isoOrNull(attempt.finishedAt),
    status: attempt.status,
    outcome: attempt.outcome,
    durationMs: attempt.durationMs,
    error: attempt.error,
    responseExcerpt: attempt.responseExcerpt,
  }));
  if (task.state === 'running' && task.attemptedAt !== null) {
    shown.push({
      number: task.attempt,
      startedAt: formatRfc3339(task.attemptedAt),
      finishedAt: null,
      status: null,
      outcome: null,
      durationMs: null,
      error: null,
      responseExcerpt: null,
    });
  }
  return shown;
}
