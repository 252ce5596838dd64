import type { AttemptOutcome, AttemptRecord, CallbackTarget, TaskRecord, TaskState } from '../task.js';
import type { Row } from './sql-session.js';
import type { TaskInsertRow } from './task-insert-row.js';

/**
 * Rows → records, whatever the driver hands back: times as Dates, epoch milliseconds or text, JSON
 * parsed or as text, bytes as Buffers or Uint8Arrays.
 */
export const TASK_COLUMNS =
  'id, queue, state, path, method, headers, body, content_type, run_at, attempt, attempts_given_back, max_attempts, timeout_ms, dedup_key, lease_owner, lease_expires_at, attempted_at, traceparent, first_attempt_at, last_status, last_error, created_at, updated_at, finalized_at, cron, cron_fire_at, on_complete, on_failure, callback_of, key_mode, key_deadline, key_retention_ms, retry, priority';

/** The task columns that hold times. */
export const TIME_COLUMNS: ReadonlySet<string> = new Set([
  'run_at',
  'lease_expires_at',
  'attempted_at',
  'first_attempt_at',
  'created_at',
  'updated_at',
  'finalized_at',
  'cron_fire_at',
  'key_deadline',
]);

/**
 * What the claim reads back: the task's columns except those the claim itself has just written
 * (state, lease_owner, lease_expires_at, attempted_at, updated_at) and finalized_at, which no
 * claimable task has; `toClaimedRecord` fills those from the claim's own values. Every column
 * not sent is output PostgreSQL does not format and the scheduler does not parse, 250 rows a claim.
 */
export const CLAIM_COLUMNS =
  'id, queue, path, method, headers, body, content_type, run_at, attempt, attempts_given_back, max_attempts, timeout_ms, dedup_key, traceparent, first_attempt_at, last_status, last_error, created_at, cron, cron_fire_at, on_complete, on_failure, callback_of, retry, priority';

/** The values a claim wrote, for the columns it does not read back. */
export interface ClaimStamp {
  owner: string;
  now: Date;
  leaseExpiresAt: Date;
}

export const ATTEMPT_COLUMNS =
  'task_id, number, started_at, finished_at, status, outcome, duration_ms, error, response_excerpt';

export function toDate(value: unknown): Date {
  if (value instanceof Date) return value;
  if (typeof value === 'number' || typeof value === 'bigint') return new Date(Number(value));
  if (typeof value === 'string') return new Date(/^\d+$/.test(value) ? Number(value) : value);
  throw new TypeError(`not a time: ${String(value)}`);
}

export function toDateOrNull(value: unknown): Date | null {
  return value === null || value === undefined ? null : toDate(value);
}

function toNumberOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

function toStringOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

function toHeaders(value: unknown): Record<string, string> {
  if (typeof value === 'string') return JSON.parse(value) as Record<string, string>;
  return (value ?? {}) as Record<string, string>;
}

function toBuffer(value: unknown): Buffer | null {
  if (value === null || value === undefined) return null;
  return Buffer.isBuffer(value) ? value : Buffer.from(value as Uint8Array);
}

export function toTaskRecord(row: Row): TaskRecord {
  return recordOf(row, undefined);
}

/** A row the claim read back (claimColumns), completed with the values that claim wrote. */
export function toClaimedRecord(row: Row, claim: ClaimStamp): TaskRecord {
  return recordOf(row, claim);
}

function recordOf(row: Row, claim: ClaimStamp | undefined): TaskRecord {
  return {
    id: String(row.id),
    queue: String(row.queue),
    state: claim ? 'running' : (row.state as TaskState),
    path: String(row.path),
    method: String(row.method),
    headers: toHeaders(row.headers),
    body: toBuffer(row.body),
    contentType: toStringOrNull(row.content_type),
    runAt: toDate(row.run_at),
    attempt: Number(row.attempt),
    attemptsGivenBack: Number(row.attempts_given_back ?? 0),
    maxAttempts: toNumberOrNull(row.max_attempts),
    timeoutMs: toNumberOrNull(row.timeout_ms),
    key: toStringOrNull(row.dedup_key),
    leaseOwner: claim ? claim.owner : toStringOrNull(row.lease_owner),
    leaseExpiresAt: claim ? claim.leaseExpiresAt : toDateOrNull(row.lease_expires_at),
    attemptedAt: claim ? claim.now : toDateOrNull(row.attempted_at),
    traceparent: toStringOrNull(row.traceparent),
    cron: toStringOrNull(row.cron),
    cronFireAt: toDateOrNull(row.cron_fire_at),
    firstAttemptAt: toDateOrNull(row.first_attempt_at),
    lastStatus: toNumberOrNull(row.last_status),
    lastError: toStringOrNull(row.last_error),
    createdAt: toDate(row.created_at),
    updatedAt: claim ? claim.now : toDate(row.updated_at),
    finalizedAt: claim ? null : toDateOrNull(row.finalized_at),
    priority: Number(row.priority ?? 0),
    retry: toStringOrNull(row.retry),
    onComplete: toCallbackTarget(row.on_complete),
    onFailure: toCallbackTarget(row.on_failure),
    callbackOf: toStringOrNull(row.callback_of),
    keyMode: keyModeOf(row),
    keyDeadline: toDateOrNull(row.key_deadline),
    keyRetentionMs: toNumberOrNull(row.key_retention_ms),
  };
}

/**
 * The key mode of a row (migration 0018): a key with a null mode is keep. Null without a key, and
 * on rows read without the column (the claim's): the scheduler has no use for it.
 */
function keyModeOf(row: Row): TaskRecord['keyMode'] {
  if (row.dedup_key === null || row.dedup_key === undefined || row.key_mode === undefined) return null;
  return (row.key_mode as TaskRecord['keyMode']) ?? 'keep';
}

/**
 * A callback target column (JSON text, migration 0020); absent on rows read without it. Text
 * another writer (SQL) stored that is not a target reads as none, rather than fail every read of the row.
 */
function toCallbackTarget(value: unknown): CallbackTarget | null {
  if (value === null || value === undefined) return null;
  try {
    const target = (typeof value === 'string' ? JSON.parse(value) : value) as Partial<CallbackTarget> | null;
    return typeof target?.queue === 'string' && typeof target.path === 'string'
      ? { queue: target.queue, path: target.path }
      : null;
  } catch {
    return null;
  }
}

export function toAttemptRecord(row: Row): AttemptRecord {
  return {
    taskId: String(row.task_id),
    number: Number(row.number),
    startedAt: toDate(row.started_at),
    finishedAt: toDateOrNull(row.finished_at),
    status: toNumberOrNull(row.status),
    outcome: row.outcome as AttemptOutcome,
    durationMs: toNumberOrNull(row.duration_ms),
    error: toStringOrNull(row.error),
    responseExcerpt: toStringOrNull(row.response_excerpt),
  };
}

/** A task as a list reads it: without its body, with the body's size in bytes (null: no body). */
export type ListedTask = Omit<TaskRecord, 'body'> & { bodyBytes: number | null };

/** The record of a row just inserted: exactly what was written, with the columns' defaults. */
export function insertedRecord(row: TaskInsertRow): TaskRecord {
  return {
    id: row.id,
    queue: row.queue,
    state: row.state,
    path: row.path,
    method: row.method,
    headers: row.headers,
    body: row.body === null ? null : Buffer.from(row.body.buffer, row.body.byteOffset, row.body.byteLength),
    contentType: row.contentType,
    runAt: row.runAt,
    attempt: 0,
    attemptsGivenBack: 0,
    maxAttempts: row.maxAttempts,
    timeoutMs: row.timeoutMs,
    key: row.key,
    leaseOwner: null,
    leaseExpiresAt: null,
    attemptedAt: null,
    traceparent: row.traceparent,
    cron: null,
    cronFireAt: null,
    firstAttemptAt: null,
    lastStatus: null,
    lastError: null,
    createdAt: row.createdAt,
    updatedAt: row.createdAt,
    finalizedAt: null,
    priority: row.priority ?? 0,
    retry: row.retry ?? null,
    onComplete: row.onComplete ?? null,
    onFailure: row.onFailure ?? null,
    callbackOf: row.callbackOf ?? null,
    keyMode: row.key === null ? null : (row.keyMode ?? 'keep'),
    keyDeadline: row.keyDeadline ?? null,
    keyRetentionMs: row.keyRetentionMs ?? null,
  };
}

export function toListedTask(row: Record<string, unknown>): ListedTask {
  const { body: _none, ...record } = toTaskRecord(row);
  return {
    ...record,
    bodyBytes: row.body_bytes === null || row.body_bytes === undefined ? null : Number(row.body_bytes),
  };
}
