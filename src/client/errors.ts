import { DispatchrError } from '../errors.js';
import type { Problem, ProblemError } from './types.js';

/**
 * The client's errors, on Dispatchr's one error base: check `code` (stable), not the class.
 * None of them is `expose`d: they describe a call to Dispatchr, not something the app's own users
 * should be shown, should one bubble up to the app's error middleware.
 */

/** The API answered with an error: carries its problem details (spec 4.12). */
export class DispatchrApiError extends DispatchrError {
  readonly title: string;
  readonly detail: string;
  readonly errors: ProblemError[];
  /** The whole problem body as the API sent it. */
  readonly problem: Problem;
  /** From `Retry-After`, when the answer carried one. */
  readonly retryAfterMs: number | null;

  constructor(problem: Problem, options: { retryAfterMs?: number | null; cause?: unknown } = {}) {
    super(problem.code, `${problem.title}: ${problem.detail}`, {
      status: problem.status,
      expose: false,
      details: problem.errors,
      cause: options.cause,
    });
    this.name = 'DispatchrApiError';
    this.title = problem.title;
    this.detail = problem.detail;
    this.errors = problem.errors;
    this.problem = problem;
    this.retryAfterMs = options.retryAfterMs ?? null;
  }
}

export type NetworkErrorCode = 'network_error' | 'timeout' | 'aborted';

/** No answer: the connection failed, the call timed out, or the caller aborted it. */
export class DispatchrNetworkError extends DispatchrError {
  declare readonly code: NetworkErrorCode;
  /** How many requests were sent before giving up. */
  readonly attempts: number;

  constructor(code: NetworkErrorCode, message: string, options: { attempts: number; cause?: unknown }) {
    // 502/504 say "the upstream failed" should this reach an HTTP error middleware; 499 a client abort.
    super(code, message, {
      status: code === 'timeout' ? 504 : code === 'aborted' ? 499 : 502,
      expose: false,
      cause: options.cause,
    });
    this.name = 'DispatchrNetworkError';
    this.attempts = options.attempts;
  }
}

/** `enqueueWithin()` refused a task before touching the database. Same shape as the API's 400. */
export class DispatchrValidationError extends DispatchrError {
  readonly errors: ProblemError[];

  constructor(errors: ProblemError[]) {
    const first = errors[0];
    super(
      'validation_failed',
      errors.length === 1 ? `${first.path}: ${first.message}` : `${errors.length} problems in the task`,
      {
        status: 400,
        expose: false,
        details: errors,
      },
    );
    this.name = 'DispatchrValidationError';
    this.errors = errors;
  }
}
