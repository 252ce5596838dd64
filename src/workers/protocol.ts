import type { MessagePort } from 'node:worker_threads';

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
  };
}

/** The piscina task: one batch, sent concurrently by one worker thread. */
export interface DispatchBatch {
  requests: PackedRequests;
  /** Any message on this port aborts the batch's in-flight requests (see pool.ts for why not piscina's signal). */
  abortPort?: MessagePort;
}

/**
 * A batch as columns rather than an array of objects. Structured clone writes every property name
 * of every object it copies; one array per field crosses the thread boundary in about half the
 * time (measured: 2.2 vs 1.1 µs per request, 1.0 vs 0.2 µs per result, serialize + deserialize),
 * and leaves less garbage on both sides. Nulls of numeric fields are NaN.
 */
export interface PackedRequests {
  taskId: string[];
  queue: string[];
  attempt: Int32Array;
  url: string[];
  method: string[];
  headers: Record<string, string>[];
  body: (Uint8Array | null)[];
  contentType: (string | null)[];
  timeoutMs: Float64Array;
  allowPrivateNetwork: Uint8Array;
  signingSecrets: string[][];
  scheduledAt: string[];
  previousStatus: Float64Array;
  traceparent: (string | null)[];
  cron: (string | null)[];
  cronFireAt: (string | null)[];
  sendWithinMs: Float64Array;
}

export interface PackedResults {
  status: Float64Array;
  retryAfterMs: Float64Array;
  durationMs: Float64Array;
  startedAtMs: Float64Array;
  finishedAtMs: Float64Array;
  errorKind: (DispatchErrorKind | null)[];
  error: (string | null)[];
  responseExcerpt: (string | null)[];
}

const orNaN = (value: number | null): number => (value === null ? NaN : value);
const orNull = (value: number): number | null => (Number.isNaN(value) ? null : value);

export function packRequests(requests: readonly DispatchRequest[]): PackedRequests {
  const n = requests.length;
  const packed: PackedRequests = {
    taskId: new Array(n),
    queue: new Array(n),
    attempt: new Int32Array(n),
    url: new Array(n),
    method: new Array(n),
    headers: new Array(n),
    body: new Array(n),
    contentType: new Array(n),
    timeoutMs: new Float64Array(n),
    allowPrivateNetwork: new Uint8Array(n),
    signingSecrets: new Array(n),
    scheduledAt: new Array(n),
    previousStatus: new Float64Array(n),
    traceparent: new Array(n),
    cron: new Array(n),
    cronFireAt: new Array(n),
    sendWithinMs: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    const r = requests[i];
    packed.taskId[i] = r.taskId;
    packed.queue[i] = r.queue;
    packed.attempt[i] = r.attempt;
    packed.url[i] = r.url;
    packed.method[i] = r.method;
    packed.headers[i] = r.headers;
    packed.body[i] = r.body;
    packed.contentType[i] = r.contentType;
    packed.timeoutMs[i] = r.timeoutMs;
    packed.allowPrivateNetwork[i] = r.allowPrivateNetwork ? 1 : 0;
    packed.signingSecrets[i] = r.signingSecrets;
    packed.scheduledAt[i] = r.scheduledAt;
    packed.previousStatus[i] = orNaN(r.previousStatus);
    packed.traceparent[i] = r.traceparent;
    packed.cron[i] = r.cron;
    packed.cronFireAt[i] = r.cronFireAt;
    packed.sendWithinMs[i] = r.sendWithinMs ?? NaN;
  }
  return packed;
}

export function unpackRequests(packed: PackedRequests): DispatchRequest[] {
  const n = packed.taskId.length;
  const requests: DispatchRequest[] = new Array(n);
  for (let i = 0; i < n; i++) {
    requests[i] = {
      taskId: packed.taskId[i],
      queue: packed.queue[i],
      attempt: packed.attempt[i],
      url: packed.url[i],
      method: packed.method[i],
      headers: packed.headers[i],
      body: packed.body[i],
      contentType: packed.contentType[i],
      timeoutMs: packed.timeoutMs[i],
      allowPrivateNetwork: packed.allowPrivateNetwork[i] === 1,
      signingSecrets: packed.signingSecrets[i],
      scheduledAt: packed.scheduledAt[i],
      previousStatus: orNull(packed.previousStatus[i]),
      traceparent: packed.traceparent[i],
      cron: packed.cron[i],
      cronFireAt: packed.cronFireAt[i],
      sendWithinMs: orNull(packed.sendWithinMs[i]) ?? undefined,
    };
  }
  return requests;
}

/** Results in request order; taskId and attempt are not sent back (the caller has them). */
export function packResults(results: readonly DispatchResult[]): PackedResults {
  const n = results.length;
  const packed: PackedResults = {
    status: new Float64Array(n),
    retryAfterMs: new Float64Array(n),
    durationMs: new Float64Array(n),
    startedAtMs: new Float64Array(n),
    finishedAtMs: new Float64Array(n),
    errorKind: new Array(n),
    error: new Array(n),
    responseExcerpt: new Array(n),
  };
  for (let i = 0; i < n; i++) {
    const r = results[i];
    packed.status[i] = orNaN(r.status);
    packed.retryAfterMs[i] = orNaN(r.retryAfterMs);
    packed.durationMs[i] = r.durationMs;
    packed.startedAtMs[i] = r.startedAtMs;
    packed.finishedAtMs[i] = r.finishedAtMs;
    packed.errorKind[i] = r.errorKind;
    packed.error[i] = r.error;
    packed.responseExcerpt[i] = r.responseExcerpt;
  }
  return packed;
}

export function unpackResults(packed: PackedResults, requests: readonly DispatchRequest[]): DispatchResult[] {
  const results: DispatchResult[] = new Array(requests.length);
  for (let i = 0; i < requests.length; i++) {
    results[i] = {
      taskId: requests[i].taskId,
      attempt: requests[i].attempt,
      status: orNull(packed.status[i]),
      retryAfterMs: orNull(packed.retryAfterMs[i]),
      durationMs: packed.durationMs[i],
      startedAtMs: packed.startedAtMs[i],
      finishedAtMs: packed.finishedAtMs[i],
      errorKind: packed.errorKind[i],
      error: packed.error[i],
      responseExcerpt: packed.responseExcerpt[i],
    };
  }
  return results;
}

/** Set once per pool (piscina `workerData`): how each worker thread builds its Agents. */
export interface DispatchWorkerData {
  connectionsPerOrigin?: number;
}

/** Bytes of response body read into `responseExcerpt`, and the most its UTF-8 text may take. */
export const RESPONSE_EXCERPT_BYTES = 1024;
