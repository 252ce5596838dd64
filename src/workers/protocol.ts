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
}

/** Why no HTTP status was obtained. `null` whenever `status` is set (see DispatchResult). */
export type DispatchErrorKind =
  | 'timeout'
  | 'connection-refused'
  | 'connection-reset'
  | 'dns'
  | 'guard-refused'
  | 'tls'
  | 'network'
  | 'aborted';

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
  /** ISO 8601 / RFC 3339 (UTC). */
  startedAt: string;
  finishedAt: string;
  errorKind: DispatchErrorKind | null;
  /** Short, secret-free description when errorKind is set. */
  error: string | null;
  /** First <= 1024 bytes of the response body, utf-8 decoded; null when no response arrived. */
  responseExcerpt: string | null;
}

/** The piscina task: one batch, sent concurrently by one worker thread. */
export interface DispatchBatch {
  requests: DispatchRequest[];
  /** Any message on this port aborts the batch's in-flight requests (see pool.ts for why not piscina's signal). */
  abortPort?: MessagePort;
}

/** Set once per pool (piscina `workerData`): how each worker thread builds its Agents. */
export interface DispatchWorkerData {
  connectionsPerOrigin?: number;
}

/** Bytes of response body kept in `responseExcerpt`. */
export const RESPONSE_EXCERPT_BYTES = 1024;
