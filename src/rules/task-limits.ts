/**
 * How far a task's own values may go, and what is in force when it runs. One rule for every way a
 * task is written (the recorder, enqueueWithin, any later writer):
 *  - a stored task holds what its creator sent (`null` where it sent nothing);
 *  - the recorder, which knows the queue's config, refuses a value above the queue's cap (400);
 *  - the scheduler resolves defaults and clamps to the caps when it runs the task, so a writer that
 *    cannot see the config (enqueueWithin) cannot exceed them either;
 *  - the task resource shows the values in force as `effective`.
 * Dependency-free: the recorder, the scheduler and the client share it. Queues are described by
 * shape, so this file needs no config types.
 */

/**
 * "At most one year ahead" (runAt, delay) is 366 days: the same date next year always fits, leap
 * day or not. 31,622,400 seconds.
 */
export const MAX_AHEAD_MS = 366 * 24 * 60 * 60 * 1000;
/** The most attempts any task may ask for, whatever its queue allows. */
export const MAX_TASK_ATTEMPTS = 1000;
/** A queue's cap on a task's maxAttempts when `taskLimits.maxAttempts` is not set (or its retry.maxAttempts, when higher). */
export const DEFAULT_MAX_ATTEMPTS_CAP = 100;

/** The parts of a queue's configuration these rules read. Durations in milliseconds. */
export interface QueueLimitsSource {
  timeout: number;
  retry: { maxAttempts: number };
  taskLimits?: { maxAttempts?: number; timeout?: number };
}

export interface TaskCaps {
  /** The highest maxAttempts a task of the queue may set. */
  maxAttempts: number;
  /** The longest per-attempt timeout a task of the queue may set. */
  timeoutMs: number;
  /** Whether `timeoutMs` is the operator's cap rather than the lease's bound (for messages). */
  timeoutCapped: boolean;
}

/**
 * How much of the lease a timeout must leave free. A request is sent only while its lease covers
 * its whole timeout plus a margin of up to 1 s (workers/protocol.ts); a timeout this much shorter
 * than the lease leaves the claim at least 1 s to reach the send. With less, an attempt could be
 * claimed, found too late to send, given back and claimed again, forever.
 */
export const LEASE_HEADROOM_MS = 2_000;

/** The longest timeout, queue or task, that a lease of `leaseMs` allows. */
export function longestTimeoutFor(leaseMs: number): number {
  return leaseMs - LEASE_HEADROOM_MS;
}

/**
 * A queue's caps. A timeout must also leave the lease its headroom (`longestTimeoutFor`), whatever
 * the cap: a request is never sent with less lease left than its timeout.
 */
export function taskCapsOf(queue: QueueLimitsSource, leaseMs: number): TaskCaps {
  const timeoutMs = timeoutCapMs(queue, leaseMs);
  return { maxAttempts: maxAttemptsCap(queue), timeoutMs, timeoutCapped: timeoutMs === queue.taskLimits?.timeout };
}

/**
 * The caps as plain numbers: the scheduler resolves them for every task it sends and settles, so
 * these build no object (taskCapsOf is the recorder's, once per request).
 */
function maxAttemptsCap(queue: QueueLimitsSource): number {
  return queue.taskLimits?.maxAttempts ?? Math.max(DEFAULT_MAX_ATTEMPTS_CAP, queue.retry.maxAttempts);
}

function timeoutCapMs(queue: QueueLimitsSource, leaseMs: number): number {
  const cap = queue.taskLimits?.timeout;
  const leaseBound = longestTimeoutFor(leaseMs);
  return cap !== undefined && cap <= leaseBound ? cap : leaseBound;
}

export interface EffectiveLimits {
  maxAttempts: number;
  timeoutMs: number;
}

/** What a task runs with: its own values, else the queue's, never above the queue's caps. */
export function effectiveLimits(
  task: { maxAttempts: number | null; timeoutMs: number | null },
  queue: QueueLimitsSource,
  leaseMs: number,
): EffectiveLimits {
  return {
    maxAttempts: effectiveMaxAttempts(task.maxAttempts, queue),
    timeoutMs: effectiveTimeoutMs(task.timeoutMs, queue, leaseMs),
  };
}

export function effectiveMaxAttempts(requested: number | null, queue: QueueLimitsSource): number {
  return Math.min(requested ?? queue.retry.maxAttempts, maxAttemptsCap(queue));
}

export function effectiveTimeoutMs(requested: number | null, queue: QueueLimitsSource, leaseMs: number): number {
  return Math.min(requested ?? queue.timeout, timeoutCapMs(queue, leaseMs));
}
