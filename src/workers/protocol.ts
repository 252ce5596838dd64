import type { MessagePort } from 'node:worker_threads';
import type { PackedRequests } from './protocol-pack.js';

/**
 * The plain data that crosses the piscina boundary. Everything here must survive structured clone
 * (no classes, no functions, no Dates), so the worker needs nothing but this file and undici.
 */

/** One attempt at one task, fully resolved by the caller: the worker makes no decisions of its own. */
export interface DispatchRequest {
  taskId: string;
  queue: string;
  /** 1-based; one claim is one attempt. */
  attempt: number;
  /** The full target URL, already joined from the queue's base URL by the caller. */
  url: string;
  method: string;
  headers: Record<string, string>;
  body: Uint8Array | null;
  contentType: string | null;
  timeoutMs: number;
  allowPrivateNetwork: boolean;
  /** Standard Webhooks secrets; more than one during rotation (each one signs). Empty: unsigned. */
  signingSecrets: string[];
  /** RFC 3339. */
  scheduledAt: string;
  previousStatus: number | null;
  traceparent: string | null;
  /** The cron entry whose fire created the task, and that fire time (RFC 3339); null for other tasks. */
  cron: string | null;
  cronFireAt: string | null;
  /**
   * How long from the hand-off the attempt may still wait for a connection and be sent: until
   * then its lease holds its whole timeout plus the margin (sendWithinMs below). An attempt that
   * gets its connection later is not sent. Absent: no bound (direct callers, tests).
   */
  sendWithinMs?: number;
  /**
   * Bytes of the response body to hand back as they are, with the response's content type: the
   * task's stored result (docs/spec.md 11.4). Absent or 0: only the excerpt, as for most tasks.
   */
  keepBytes?: number;
}

/** Lease kept beyond a request's deadline, so its outcome is recorded before the lease expires. */
export const LEASE_MARGIN_MS = 1_000;

/**
 * The margin for a lease of `leaseMs` and a timeout of `timeoutMs`: LEASE_MARGIN_MS, or half of
 * what the lease exceeds the timeout by when that is less. Every timeout the scheduler sends with
 * leaves the lease 2 s (rules/task-limits.ts LEASE_HEADROOM_MS: config refuses less, the clamp at
 * run time caps what a config-blind writer stored), so the margin is 1 s there; the half rule keeps
 * this function from giving every attempt back unsent for a caller outside those rules.
 */
export function leaseMarginMs(leaseMs: number, timeoutMs: number): number {
  return Math.max(0, Math.min(LEASE_MARGIN_MS, Math.floor((leaseMs - timeoutMs) / 2)));
}

/**
 * How much longer an attempt with `leaseLeftMs` of its lease left may wait before it is sent;
 * negative: it must not be sent at all. A request is sent only while the lease covers its whole
 * timeout plus the margin, and its timeout is never shortened (spec 5.4, 8.1): so no request is
 * in flight once its lease has expired, when another scheduler may already have rescued the task.
 */
export function sendWithinMs(leaseLeftMs: number, timeoutMs: number, leaseMs: number): number {
  return leaseLeftMs - timeoutMs - leaseMarginMs(leaseMs, timeoutMs);
}

/** Why no HTTP status was obtained. `null` whenever `status` is set (see DispatchResult). */
export type DispatchErrorKind =
  'timeout' | 'connection-refused' | 'connection-reset' | 'dns' | 'guard-refused' | 'tls' | 'network' | 'aborted';

/**
 * Every outcome of an attempt, as data. Invariant: exactly one of `status` and `errorKind` is
 * non-null. Once a status line has arrived it is the answer; a deadline, reset or abort while
 * reading the response excerpt only shortens the excerpt.
 */
export interface DispatchResult {
  taskId: string;
  attempt: number;
  status: number | null;
  /** Parsed Retry-After in ms (any status); the classifier decides whether it is used. */
  retryAfterMs: number | null;
  durationMs: number;
  /** Epoch milliseconds: a number crosses the thread boundary, and becomes a Date, for free. */
  startedAtMs: number;
  finishedAtMs: number;
  errorKind: DispatchErrorKind | null;
  /** Short, secret-free description when errorKind is set. */
  error: string | null;
  /** The start of the response body as UTF-8 text of at most RESPONSE_EXCERPT_BYTES bytes; null when no response arrived. */
  responseExcerpt: string | null;
  /** The first `keepBytes` bytes of the body and its Content-Type, when the request asked (else absent or null). */
  responseBody?: Uint8Array | null;
  responseContentType?: string | null;
}

/** The outcome of an attempt that was never sent (refused, given back, cut before sending). */
export function unsentResult(
  attempt: { taskId: string; attempt: number },
  errorKind: DispatchErrorKind,
  error: string,
  now: Date = new Date(),
): DispatchResult {
  const at = now.getTime();
  return {
    taskId: attempt.taskId,
    attempt: attempt.attempt,
    status: null,
    retryAfterMs: null,
    durationMs: 0,
    startedAtMs: at,
    finishedAtMs: at,
    errorKind,
    error,
    responseExcerpt: null,
    responseBody: null,
    responseContentType: null,
  };
}

/** The piscina task: one batch, sent concurrently by one worker thread. */
export interface DispatchBatch {
  requests: PackedRequests;
  /**
   * Messages on this port (see pool.ts for why not piscina's signal): ABORT_BATCH aborts the
   * batch's in-flight requests; a CancelAttempt cuts that one attempt only (a task cancelled while
   * running, spec 11.6).
   */
  abortPort?: MessagePort;
}

export const ABORT_BATCH = 'abort';

/** Cut one attempt of a batch: the task and attempt number, so a later attempt of it is never cut. */
export interface CancelAttempt {
  cancel: { taskId: string; attempt: number };
}

export type AbortMessage = typeof ABORT_BATCH | CancelAttempt;

/** Set once per pool (piscina `workerData`): how each worker thread builds its Agents. */
export interface DispatchWorkerData {
  connectionsPerOrigin?: number;
}

/** Bytes of response body read into `responseExcerpt`, and the most its UTF-8 text may take. */
export const RESPONSE_EXCERPT_BYTES = 1024;
