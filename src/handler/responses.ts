import type { ServerResponse } from 'node:http';

/**
 * Answers that tell Dispatchr what to do with the task, with names that say so. They work on a
 * `node:http` / Express response or on a Koa context. The answer's first 1 KB is kept with the
 * attempt, so the JSON body's `detail` shows up in the task's history.
 *
 * Dispatchr's default reading of a status (a queue's `statusMap` can change it): 2xx completes;
 * 429 and 503 retry, honouring Retry-After; 408 and other 5xx retry on the queue's backoff; any
 * other 4xx (and 3xx) fails the task at once.
 */
export interface KoaContextLike {
  req: import('node:http').IncomingMessage;
  request: object;
  // Koa's ctx.state is `any` unless the app types it.
  state: any;
  status: number;
  type: string;
  body: unknown;
  set(field: string, value: string): void;
}

export type ResponseTarget = ServerResponse | KoaContextLike;

export interface ProblemBody {
  code: string;
  title: string;
  status: number;
  detail: string;
  errors: { path: string; message: string }[];
}

/** 503 with `Retry-After`: Dispatchr retries no sooner than `seconds` from now. */
export function retryAfter(target: ResponseTarget, seconds: number, detail = `retry in ${Math.ceil(seconds)} s`): void {
  if (!Number.isFinite(seconds) || seconds < 0) throw new TypeError('retryAfter needs a number of seconds >= 0');
  sendProblem(
    target,
    { code: 'retry_later', title: 'Retry later', status: 503, detail, errors: [] },
    { 'retry-after': String(Math.ceil(seconds)) },
  );
}

/** 422: Dispatchr fails the task now, without retrying; `reason` is kept with the attempt. */
export function doNotRetry(target: ResponseTarget, reason: string): void {
  sendProblem(target, { code: 'do_not_retry', title: 'Do not retry', status: 422, detail: reason, errors: [] });
}

export function sendProblem(target: ResponseTarget, problem: ProblemBody, headers: Record<string, string> = {}): void {
  if (isServerResponse(target)) {
    if (target.headersSent) return;
    const body = JSON.stringify(problem);
    target.statusCode = problem.status;
    for (const [name, value] of Object.entries(headers)) target.setHeader(name, value);
    target.setHeader('content-type', 'application/problem+json');
    target.setHeader('content-length', Buffer.byteLength(body));
    target.end(body);
    return;
  }
  target.status = problem.status;
  for (const [name, value] of Object.entries(headers)) target.set(name, value);
  target.type = 'application/problem+json';
  target.body = problem;
}

/** Express's `res` is a ServerResponse; a Koa context is not (it has `res` instead). */
function isServerResponse(target: ResponseTarget): target is ServerResponse {
  return (
    typeof (target as ServerResponse).setHeader === 'function' && typeof (target as ServerResponse).end === 'function'
  );
}
