import type { DispatchErrorKind, DispatchRequest, DispatchResult } from './protocol.js';

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
  keepBytes: Float64Array;
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
  /** Only when a request of the batch asked for its body (keepBytes): most batches carry none. */
  kept?: { body: (Uint8Array | null)[]; contentType: (string | null)[] };
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
    keepBytes: new Float64Array(n),
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
    packed.keepBytes[i] = r.keepBytes ?? 0;
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
      keepBytes: packed.keepBytes[i] || undefined,
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
    if (r.responseBody === null || r.responseBody === undefined) continue;
    packed.kept ??= { body: new Array(n).fill(null), contentType: new Array(n).fill(null) };
    packed.kept.body[i] = r.responseBody;
    packed.kept.contentType[i] = r.responseContentType ?? null;
  }
  return packed;
}

export function unpackResults(packed: PackedResults, requests: readonly DispatchRequest[]): DispatchResult[] {
  const results: DispatchResult[] = new Array(requests.length);
  const kept = packed.kept;
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
      // Always present, so every result has one shape (v8-shapes.ts); null unless the request asked.
      responseBody: kept === undefined ? null : kept.body[i],
      responseContentType: kept === undefined ? null : kept.contentType[i],
    };
  }
  return results;
}
