import type { WaitingReason } from '../explain/waiting-reason.js';
import type { AttemptRecord, TaskRecord } from '../task.js';
import { isJsonMediaType } from './schemas/task-input.schema.js';
import type { TaskResource } from './schemas/resource.schema.js';
import { redactHeaders } from '../rules/task-headers.js';
import { formatRfc3339 } from '../rules/rfc3339.js';

/** Records → the API's resources: RFC 3339 UTC times, redacted headers, the body as JSON or base64. */
const isoOrNull = (date: Date | null): string | null => (date === null ? null : formatRfc3339(date));

/** `waiting` is given only for a single task (GET /v1/tasks/{id}): explaining it costs a few queries. */
export function renderTask(task: TaskRecord, attempts?: readonly AttemptRecord[], waiting?: WaitingReason | null): TaskResource {
  const resource: TaskResource = {
    id: task.id,
    queue: task.queue,
    state: task.state,
    path: task.path,
    method: task.method,
    headers: redactHeaders(task.headers),
    ...renderBody(task.body, task.contentType),
    contentType: task.contentType,
    runAt: formatRfc3339(task.runAt),
    attempt: task.attempt,
    maxAttempts: task.maxAttempts,
    timeoutMs: task.timeoutMs,
    key: task.key,
    traceparent: task.traceparent,
    createdAt: formatRfc3339(task.createdAt),
    updatedAt: formatRfc3339(task.updatedAt),
    finalizedAt: isoOrNull(task.finalizedAt),
    lastStatus: task.lastStatus,
    lastError: task.lastError,
  };
  if (attempts) resource.attempts = renderAttempts(task, attempts);
  // explainWaiting's "running" and "finished" never reach here: waitingReasonOf answers null for those.
  if (waiting !== undefined) resource.waiting = waiting as TaskResource['waiting'];
  return resource;
}

function renderBody(body: Buffer | null, contentType: string | null): { body: unknown } | { bodyBase64: string } {
  if (body === null) return { body: null };
  if (contentType !== null && isJsonMediaType(contentType)) {
    try {
      return { body: JSON.parse(body.toString('utf8')) as unknown };
    } catch {
      // Written by another client as "JSON" that is not: show the bytes rather than fail the read.
    }
  }
  return { bodyBase64: body.toString('base64') };
}

/**
 * Finished attempts come from the attempt table. A running task's current attempt has no row yet
 * (it is written when the attempt settles), so it is shown from the lease: started at
 * `attemptedAt`, outcome null. (Numbers may repeat after a manual retry, which restarts the count.)
 */
function renderAttempts(task: TaskRecord, attempts: readonly AttemptRecord[]): NonNullable<TaskResource['attempts']> {
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
