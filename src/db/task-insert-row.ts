/**
 * What a new task's row holds, computed once for every driver. Dependency-free on purpose: the
 * repository uses it, and so does `enqueueWithin()` in the client, which inserts inside an
 * application's own PostgreSQL transaction without importing any of Dispatchr's server code.
 */

/**
 * What a new task is made of before it becomes a row; the id and `now` come from the caller. The
 * fields of NewTask (src/task.ts), restated: this file is part of the client's import graph,
 * whose published types may not reach server modules.
 */
export interface TaskInsertInput {
  queue: string;
  path: string;
  method: string;
  headers: Record<string, string>;
  body: Uint8Array | null;
  /** `body` as text, when the caller serialized it from JSON itself (it is then known to parse). */
  bodyText?: string;
  contentType: string | null;
  runAt: Date;
  maxAttempts: number | null;
  timeoutMs: number | null;
  key: string | null;
  traceparent: string | null;
  /** 0 to 9 (rules/task-priority.ts); null or absent: the queue's stored default_priority, else 0. */
  priority?: number | null;
  /** JSON text of the task's own retry settings (rules/task-retry.ts, docs/spec.md 11.3); null: the queue's. */
  retry?: string | null;
  /** Callback targets (docs/spec.md 11.5), and on a callback task the task it reports on. */
  onComplete?: { queue: string; path: string } | null;
  onFailure?: { queue: string; path: string } | null;
  callbackOf?: string | null;
  /** Key options (docs/spec.md 11.2), restated like the rest: absent is keep, no bound, no retention. */
  keyMode?: 'keep' | 'replace' | 'debounce';
  keyMaxWaitMs?: number | null;
  keyRetentionMs?: number | null;
}

/** The row written, by the repository's rules (see toTaskInsertRow). */
export interface TaskInsertRow extends Omit<TaskInsertInput, 'bodyText'> {
  id: string;
  state: 'available' | 'scheduled';
  /** The body as JSON text when it is JSON a database's JSON type accepts (a searchable copy); else null. */
  bodyJson: string | null;
  createdAt: Date;
  /** created_at + keyMaxWait: the latest due time a debounce may give the task; null: no bound. */
  keyDeadline?: Date | null;
}

const JSON_CONTENT_TYPE = /^application\/([a-z0-9.+-]*\+)?json\b/i;

/**
 * A task → its row at `now`, by the repository's rules: due now is `available`, later is
 * `scheduled`, a past runAt becomes now. Shared so `enqueueWithin()` computes rows exactly like the
 * recorder does. The jsonb copy is kept only when the bytes really are JSON that jsonb accepts (a
 * JSON content type over other bytes, or a `\u0000` escape, would otherwise fail the whole insert).
 */
export function toTaskInsertRow(task: TaskInsertInput, now: Date, id: string): TaskInsertRow {
  const due = task.runAt.getTime() <= now.getTime();
  // Field by field rather than a spread: this runs once per task of a 1,000-task batch.
  return {
    id,
    queue: task.queue,
    state: due ? 'available' : 'scheduled',
    path: task.path,
    method: task.method,
    headers: task.headers,
    body: task.body,
    bodyJson:
      task.body !== null && JSON_CONTENT_TYPE.test(task.contentType ?? '') ? jsonbText(task.body, task.bodyText) : null,
    contentType: task.contentType,
    runAt: due ? now : task.runAt,
    maxAttempts: task.maxAttempts,
    timeoutMs: task.timeoutMs,
    key: task.key,
    traceparent: task.traceparent,
    priority: task.priority ?? null,
    retry: task.retry ?? null,
    onComplete: task.onComplete ?? null,
    onFailure: task.onFailure ?? null,
    callbackOf: task.callbackOf ?? null,
    keyMode: task.keyMode ?? 'keep',
    keyMaxWaitMs: task.keyMaxWaitMs ?? null,
    keyRetentionMs: task.keyRetentionMs ?? null,
    keyDeadline: task.keyMaxWaitMs == null ? null : new Date(now.getTime() + task.keyMaxWaitMs),
    createdAt: now,
  };
}

/**
 * Escapes jsonb refuses, which would fail the whole insert (and every task sharing its statement):
 * `\u0000`, and a surrogate escape without its pair (`"\ud800"`, which JSON.stringify writes for
 * an unpaired surrogate). The recorder and enqueueWithin refuse both; this keeps any other writer's
 * body out of the jsonb copy (it is then not searchable) instead of failing its insert.
 */
const UNSTORABLE_ESCAPE =
  /\\u0000|\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}/;

function jsonbText(body: Uint8Array, knownText: string | undefined): string | null {
  if (knownText !== undefined) return UNSTORABLE_ESCAPE.test(knownText) ? null : knownText;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(body);
    JSON.parse(text);
    return UNSTORABLE_ESCAPE.test(text) ? null : text;
  } catch {
    return null;
  }
}

/** A callback target column's text (migration 0020): JSON, or null when the task has none of its own. */
export function callbackTargetText(target: { queue: string; path: string } | null | undefined): string | null {
  return target ? JSON.stringify({ queue: target.queue, path: target.path }) : null;
}
