import { backoffMs } from '../backoff.js';
import { DispatchrApiError, DispatchrNetworkError, type NetworkErrorCode } from './errors.js';
import type { Problem } from './types.js';

/**
 * One API call over the global `fetch`, with the client's own retries. What may be retried depends
 * on whether a repeat could do something twice:
 *
 * - `safe` calls (reads, and creates carrying an Idempotency-Key, which the recorder answers from
 *   its stored first response) are retried on any connection failure, on a timeout and on
 *   429/502/503/504.
 * - `unsent` calls (cancel, retry, run, delete) are retried only when the request certainly did not
 *   take effect: the connection was never made, or the answer was 429/503 (the recorder answers 503
 *   when its database is unavailable, so nothing was written). A 502/504 from a proxy, or a reset
 *   after sending, may follow a change that happened, so those are reported, not repeated.
 *
 * Waits grow exponentially with jitter; a `Retry-After` is honoured, and one longer than
 * `maxRetryDelayMs` ends the retries (the error carries `retryAfterMs` for the caller to decide).
 */
export interface TransportOptions {
  /** The recorder's base URL, including a mount prefix if any (`http://app:3000/dispatchr`). */
  url: string;
  token?: string;
  fetch?: typeof fetch;
  /** Retries after the first request (default 3). */
  retries?: number;
  /** Per request, including reading the answer (default 30 s). */
  timeoutMs?: number;
  /** First backoff wait (default 200 ms), doubled each retry. */
  retryDelayMs?: number;
  /** Longest wait between two requests, backoff or Retry-After (default 10 s). */
  maxRetryDelayMs?: number;
}

export interface ApiRequest {
  method: 'GET' | 'POST' | 'DELETE';
  /** Below the base URL, already percent-encoded: `/v1/tasks/<id>`. */
  path: string;
  query?: Record<string, string | number | undefined>;
  /** Serialized once, so every retry sends the same bytes (the Idempotency-Key fingerprint). */
  body?: unknown;
  retry: 'safe' | 'unsent';
  idempotencyKey?: string;
  signal?: AbortSignal;
}

export interface ApiResponse<T> {
  status: number;
  headers: Headers;
  body: T;
}

/** Connection errors that mean the request never reached the server. */
const UNSENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);
const SAFE_STATUSES = new Set([429, 502, 503, 504]);
const UNSENT_STATUSES = new Set([429, 503]);

export type Transport = <T>(request: ApiRequest) => Promise<ApiResponse<T>>;

export function createTransport(options: TransportOptions): Transport {
  const base = new URL(options.url);
  if (base.protocol !== 'http:' && base.protocol !== 'https:')
    throw new TypeError(`expected an http(s) URL, got ${base.protocol}`);
  const root = base.href.replace(/[?#].*$/, '').replace(/\/+$/, '');
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const retries = Math.max(0, Math.floor(options.retries ?? 3));
  const timeoutMs = options.timeoutMs ?? 30_000;
  const retryDelayMs = options.retryDelayMs ?? 200;
  const maxRetryDelayMs = options.maxRetryDelayMs ?? 10_000;

  return async function send<T>(request: ApiRequest): Promise<ApiResponse<T>> {
    const url = root + request.path + queryString(request.query);
    const headers: Record<string, string> = {
      accept: 'application/json, application/problem+json',
      'user-agent': 'dispatchr-client',
    };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (request.idempotencyKey) headers['idempotency-key'] = request.idempotencyKey;
    const text = request.body === undefined ? undefined : JSON.stringify(request.body);
    // Every POST says JSON, bodiless actions too: the recorder refuses a POST without it (a browser
    // could send that cross-site without a preflight; spec 4.1).
    if (text !== undefined || request.method === 'POST') headers['content-type'] = 'application/json';
    const what = `${request.method} ${request.path}`;

    for (let attempt = 1; ; attempt++) {
      const left = attempt <= retries;
      const outcome = await once<T>(
        fetchImpl,
        url,
        { method: request.method, headers, body: text },
        timeoutMs,
        request.signal,
      );
      if ('response' in outcome) return outcome.response;
      if ('problem' in outcome) {
        const retryable = (request.retry === 'safe' ? SAFE_STATUSES : UNSENT_STATUSES).has(outcome.problem.status);
        const error = new DispatchrApiError(outcome.problem, { retryAfterMs: outcome.retryAfterMs });
        const wait = outcome.retryAfterMs ?? backoff(attempt, retryDelayMs, maxRetryDelayMs);
        if (!retryable || !left || wait > maxRetryDelayMs) throw error;
        await sleep(wait, request.signal, () => aborted(what, attempt, error));
        continue;
      }
      const { code, cause, unsent } = outcome.failure;
      const message = `${what}: ${code === 'timeout' ? `no answer within ${timeoutMs} ms` : code === 'aborted' ? 'aborted' : `connection failed (${describe(cause)})`}`;
      const error = new DispatchrNetworkError(code, attempt > 1 ? `${message}, after ${attempt} attempts` : message, {
        attempts: attempt,
        cause,
      });
      const retryable = code !== 'aborted' && (request.retry === 'safe' || unsent);
      if (!retryable || !left) throw error;
      await sleep(backoff(attempt, retryDelayMs, maxRetryDelayMs), request.signal, () => aborted(what, attempt, error));
    }
  };
}

type Outcome<T> =
  | { response: ApiResponse<T> }
  | { problem: Problem; retryAfterMs: number | null }
  | { failure: { code: NetworkErrorCode; cause: unknown; unsent: boolean } };

async function once<T>(
  fetchImpl: typeof fetch,
  url: string,
  init: RequestInit,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<Outcome<T>> {
  if (signal?.aborted) return { failure: { code: 'aborted', cause: signal.reason, unsent: true } };
  const timer = new AbortController();
  const timeout = setTimeout(() => timer.abort(new Error('timeout')), timeoutMs);
  try {
    const response = await fetchImpl(url, {
      ...init,
      // A redirect would turn a POST into a GET; the recorder never redirects, so show it instead.
      redirect: 'manual',
      signal: signal ? AbortSignal.any([signal, timer.signal]) : timer.signal,
    });
    const text = await response.text();
    if (response.status >= 200 && response.status < 300) {
      const body = (text === '' ? undefined : JSON.parse(text)) as T;
      return { response: { status: response.status, headers: response.headers, body } };
    }
    return { problem: toProblem(response, text), retryAfterMs: parseRetryAfter(response.headers.get('retry-after')) };
  } catch (error) {
    if (signal?.aborted) return { failure: { code: 'aborted', cause: signal.reason, unsent: false } };
    if (timer.signal.aborted) return { failure: { code: 'timeout', cause: error, unsent: false } };
    if (error instanceof SyntaxError) {
      return {
        problem: {
          code: 'invalid_response',
          title: 'The answer is not JSON',
          status: 502,
          detail: `${init.method} ${url}: a 2xx answer that is not JSON`,
          errors: [],
        },
        retryAfterMs: null,
      };
    }
    return { failure: { code: 'network_error', cause: error, unsent: UNSENT_CODES.has(errorCode(error) ?? '') } };
  } finally {
    clearTimeout(timeout);
  }
}

/** The API's problem body, or one made from the status when the answer came from something else. */
function toProblem(response: Response, text: string): Problem {
  let parsed: Partial<Problem> | undefined;
  try {
    parsed = JSON.parse(text) as Partial<Problem>;
  } catch {
    // Not JSON: a proxy's HTML page, an empty body.
  }
  const location = response.headers.get('location');
  const fallback = location
    ? `redirected to ${location}`
    : text.replace(/\s+/g, ' ').trim().slice(0, 200) || `HTTP ${response.status}`;
  if (parsed && typeof parsed === 'object' && typeof parsed.code === 'string') {
    return {
      code: parsed.code,
      title: typeof parsed.title === 'string' ? parsed.title : response.statusText,
      status: response.status, // the status that arrived decides; the body's copy should agree
      detail: typeof parsed.detail === 'string' ? parsed.detail : fallback,
      errors: Array.isArray(parsed.errors) ? parsed.errors : [],
    };
  }
  return {
    code: 'http_error',
    title: response.statusText || 'HTTP error',
    status: response.status,
    detail: fallback,
    errors: [],
  };
}

/** Seconds or an HTTP-date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, nowMs: number = Date.now()): number | null {
  if (value === null) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}

/** The wait before retry `attempt` (1 for the first): src/backoff.ts with "equal jitter", so retries of many clients spread out. */
export function backoff(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  return backoffMs(attempt - 1, { baseMs, maxMs, jitter: 'equal' }, random);
}

function aborted(what: string, attempts: number, last: Error): DispatchrNetworkError {
  return new DispatchrNetworkError('aborted', `${what}: aborted while waiting to retry`, { attempts, cause: last });
}

function sleep(ms: number, signal: AbortSignal | undefined, onAbort: () => Error): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(onAbort());
    const abort = () => {
      clearTimeout(timer);
      reject(onAbort());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', abort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', abort, { once: true });
  });
}

function queryString(query: ApiRequest['query']): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) if (value !== undefined) params.set(name, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** fetch wraps the system error: `TypeError: fetch failed` with the code in `cause`. */
function errorCode(error: unknown, depth = 0): string | undefined {
  if (typeof error !== 'object' || error === null || depth > 3) return undefined;
  const { code, cause } = error as { code?: unknown; cause?: unknown };
  return errorCode(cause, depth + 1) ?? (typeof code === 'string' ? code : undefined);
}

function describe(error: unknown): string {
  const code = errorCode(error);
  const message =
    error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}
