import { STATUS_CODES } from 'node:http';
import type { Context, Next } from 'koa';
import { isDatabaseUnavailable } from '../db/db-errors.js';
import { DispatchrError, isDispatchrError, type ErrorDetail } from '../errors.js';
import type { Logger } from '../logger.js';

/**
 * The recorder's one error contract: every failure leaves as `application/problem+json`
 * `{ code, title, status, detail, errors }` from the middleware below, and nothing else writes an
 * error body. Only exposed DispatchrErrors say what happened; everything else is logged and answered
 * with a generic detail, so stack traces, SQL and host names never reach a client.
 */
export const PROBLEM_TYPE = 'application/problem+json';

/** Seconds a client should wait before retrying while the database is unavailable. */
export const RETRY_AFTER_SECONDS = 2;

/** Short, stable titles per code; the `detail` carries the specifics. */
const TITLES: Record<string, string> = {
  validation_failed: 'The request is invalid',
  invalid_json: 'The body is not valid JSON',
  invalid_cursor: 'The cursor is invalid',
  unauthorized: 'Authentication required',
  forbidden: 'Not allowed for this token',
  not_found: 'No such route',
  queue_not_found: 'No such queue',
  task_not_found: 'No such task',
  cron_entry_not_found: 'No such cron entry',
  cron_entry_from_config: 'The cron entry is defined in the configuration',
  cron_entry_conflict: 'The cron entry changed meanwhile',
  method_not_allowed: 'Method not allowed',
  invalid_transition: 'The task is in the wrong state',
  invalid_state: 'The task is in the wrong state',
  duplicate_key: 'The key is held by another task',
  conflict: 'The task changed meanwhile',
  lease_held: 'A scheduler still holds the cancelled task',
  idempotency_key_reused: 'The Idempotency-Key was used for a different request',
  idempotency_key_in_use: 'Another request holds the Idempotency-Key',
  payload_too_large: 'The body is too large',
  unsupported_media_type: 'The Content-Type must be JSON',
  host_not_allowed: 'This Host is not served',
  request_aborted: 'The request body was cut off',
  bad_request: 'Bad request',
  database_unavailable: 'The database is unavailable',
  query_timeout: 'The read took too long',
  reads_busy: 'Too many reads at once',
  not_ready: 'Not ready',
  internal_error: 'Internal error',
};

const OWN_SUCCESS_HEADERS = ['Location', 'Dispatchr-Deduplicated', 'Idempotent-Replayed'];

export interface Problem {
  code: string;
  title: string;
  status: number;
  detail: string;
  errors: ErrorDetail[];
}

export function problem(code: string, status: number, detail: string, errors: ErrorDetail[] = []): Problem {
  return { code, title: TITLES[code] ?? STATUS_CODES[status] ?? 'Error', status, detail, errors };
}

/** A 400 listing every field problem at once. */
export function validationError(errors: ErrorDetail[]): DispatchrError {
  const first = errors[0];
  const detail = errors.length === 1 ? `${first.path}: ${first.message}` : `${errors.length} problems in the request`;
  return new DispatchrError('validation_failed', detail, { status: 400, details: errors });
}

export function queueNotFound(queue: string): DispatchrError {
  return new DispatchrError('queue_not_found', `no queue ${JSON.stringify(queue)} is configured`, { status: 404 });
}

export function forbidden(detail: string): DispatchrError {
  return new DispatchrError('forbidden', detail, { status: 403 });
}

/** Writes a problem response; the error middleware and the few direct answers (405, readyz) use it. */
export function sendProblem(ctx: Context, body: Problem): void {
  ctx.status = body.status;
  ctx.type = PROBLEM_TYPE;
  ctx.body = body;
}

/** Koa's own HTTP errors (http-errors) carry status and expose; they are reported without a code of ours. */
function httpErrorStatus(error: unknown): number | undefined {
  const { status, expose } = (error ?? {}) as { status?: unknown; expose?: unknown };
  return typeof status === 'number' && status >= 400 && status < 500 && expose === true ? status : undefined;
}

export function errorMiddleware(logger: Logger) {
  return async function recorderErrors(ctx: Context, next: Next): Promise<void> {
    try {
      await next();
    } catch (error) {
      // Headers a failed handler may have set must not describe a success that did not happen; other
      // headers stay (a host app mounting the recorder may have set its own).
      for (const name of OWN_SUCCESS_HEADERS) ctx.remove(name);
      if (isDatabaseUnavailable(error)) {
        logger.warn({ err: error, method: ctx.method, path: ctx.path }, 'database unavailable');
        ctx.set('Retry-After', String(RETRY_AFTER_SECONDS));
        sendProblem(ctx, problem('database_unavailable', 503, 'the database is unavailable; retry shortly'));
        return;
      }
      if (isDispatchrError(error) && error.expose) {
        if (error.status === 413) ctx.set('Connection', 'close'); // the rest of the body is never read
        sendProblem(ctx, problem(error.code, error.status, error.message, error.details));
        return;
      }
      const status = httpErrorStatus(error);
      if (status !== undefined) {
        sendProblem(
          ctx,
          problem(status === 404 ? 'not_found' : 'bad_request', status, STATUS_CODES[status] ?? 'bad request'),
        );
        return;
      }
      logger.error({ err: error, method: ctx.method, path: ctx.path }, 'unexpected error in the recorder');
      sendProblem(ctx, problem('internal_error', 500, 'an unexpected error occurred; it has been logged'));
    }
  };
}
