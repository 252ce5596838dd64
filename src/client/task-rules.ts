import type { TaskInsertInput } from '../db/task-insert-row.js';
import { canonicalJsonText } from '../rules/json-canonical.js';
import { bareSecondsHint, parseDuration } from '../duration.js';
import { findJsonProblem, textProblem } from '../rules/json-safety.js';
import { parseRfc3339 } from '../rules/rfc3339.js';
import { normalizeTaskPath } from '../rules/target-path.js';
import { checkCallbackTarget, type CallbackField } from '../rules/callback-target.js';
import { checkTaskRetry, taskRetryText } from '../rules/task-retry.js';
import { DispatchrValidationError } from './errors.js';
import { checkKeyOptions } from './key-rules.js';
import { headerProblem, MAX_HEADERS } from '../rules/task-headers.js';
import { LEASE_HEADROOM_MS, longestTimeoutFor, MAX_AHEAD_MS, MAX_TASK_ATTEMPTS } from '../rules/task-limits.js';
import {
  BASE64,
  hasNoBody,
  isJsonMediaType,
  MAX_CONTENT_TYPE_LENGTH,
  MAX_KEY_LENGTH,
  MEDIA_TYPE,
  QUEUE_NAME,
  TASK_METHODS,
} from '../rules/task-fields.js';
import { isPriority, PRIORITY_RULE } from '../rules/task-priority.js';
import type { ProblemError, TaskInput } from './types.js';

/**
 * The checks `enqueueWithin()` runs before writing, since no recorder stands between the app and
 * the table. Every rule is read from src/rules/, which the recorder's request schema reads too
 * (fields, paths, JSON, headers, times, limits; each module imports nothing, and the import-graph
 * test keeps it so), so both doors refuse the same things. What needs the queue's config cannot be
 * checked here: an absolute URL as `path` (it must lie inside
 * the target) is refused, the timeout is checked against the lease the caller states (default: the
 * scheduler's default lease), and the queue's caps on maxAttempts and timeout are applied by the
 * scheduler when it runs the task (rules/task-limits.ts).
 */
const METHODS = new Set<string>(TASK_METHODS);
const FIELDS = new Set([
  'path',
  'method',
  'headers',
  'body',
  'bodyBase64',
  'contentType',
  'runAt',
  'delay',
  'key',
  'keyMode',
  'keyMaxWait',
  'keyRetention',
  'maxAttempts',
  'timeout',
  'retry',
  'priority',
  'onComplete',
  'onFailure',
]);
const SCHEME = /^[a-z][a-z0-9+.-]*:/i;
/** Only relative paths reach normalizeTaskPath, which needs a target solely for absolute URLs. */
const NO_TARGET = 'http://target.invalid/';

export interface TaskRuleOptions {
  /** For the "at most a year ahead" rule. */
  now: Date;
  /** The scheduler's lease; a per-task timeout must be shorter. */
  leaseMs: number;
}

/** When the task is due: a time, or a delay from the creation time (which enqueueWithin takes from the database). */
export type Due = { runAt: Date } | { delayMs: number };

export type CheckedTask = Omit<TaskInsertInput, 'runAt'> & { due: Due };

export function runAtOf(due: Due, now: Date): Date {
  return 'runAt' in due ? due.runAt : new Date(now.getTime() + due.delayMs);
}

/** A checked task, ready for `toTaskInsertRow` once it has an id and a runAt; throws DispatchrValidationError. */
export function checkTask(queue: string, task: TaskInput, options: TaskRuleOptions): CheckedTask {
  const problems: ProblemError[] = [];
  const problem = (path: string, message: string) => problems.push({ path, message });
  if (typeof queue !== 'string' || !QUEUE_NAME.test(queue))
    problem('queue', 'expected a queue name of letters, digits, "_", "." and "-" (at most 64)');
  if (typeof task !== 'object' || task === null)
    throw new DispatchrValidationError([{ path: '(root)', message: 'expected a task object' }]);
  for (const field of Object.keys(task)) if (!FIELDS.has(field)) problem(field, 'unknown field');

  const method = task.method ?? 'POST';
  if (!METHODS.has(method)) problem('method', `expected one of ${[...METHODS].join(', ')}`);
  const path = checkPath(task.path, problem);
  const headers = checkHeaders(task.headers, problem);
  const { body, contentType } = checkBody(task, method, problem);
  const due = checkDue(task, options.now, problem);

  let key: string | null = null;
  if (task.key !== undefined) {
    const keyText = typeof task.key === 'string' ? textProblem(task.key) : null;
    if (typeof task.key !== 'string' || task.key.length < 1 || task.key.length > MAX_KEY_LENGTH)
      problem('key', `expected a string of 1 to ${MAX_KEY_LENGTH} characters`);
    else if (keyText) problem('key', keyText);
    else key = task.key;
  }
  const priority = task.priority ?? null;
  // Absent: null, and the insert takes the queue's stored default (no config here).
  if (priority !== null && !isPriority(priority)) problem('priority', PRIORITY_RULE);
  const maxAttempts = task.maxAttempts ?? null;
  if (maxAttempts !== null && !(Number.isInteger(maxAttempts) && maxAttempts >= 1 && maxAttempts <= MAX_TASK_ATTEMPTS))
    problem('maxAttempts', `expected an integer from 1 to ${MAX_TASK_ATTEMPTS}`);
  let timeoutMs: number | null = null;
  if (task.timeout !== undefined) {
    timeoutMs = parseDuration(task.timeout, 's') ?? null;
    if (timeoutMs === null) problem('timeout', 'expected a duration like "30s" or a number of seconds');
    else if (timeoutMs <= 0) problem('timeout', 'expected a timeout greater than 0');
    else if (timeoutMs > longestTimeoutFor(options.leaseMs)) {
      problem(
        'timeout',
        `expected a timeout at least ${LEASE_HEADROOM_MS} ms shorter than the scheduler's lease (${options.leaseMs} ms; pass leaseDurationMs if yours differs)${bareSecondsHint(task.timeout)}`,
      );
    }
  }
  const retry = checkRetry(task.retry, problem);
  const keyOptions = checkKeyOptions(task, problem);
  const onComplete = checkCallback('onComplete', task.onComplete, problem);
  const onFailure = checkCallback('onFailure', task.onFailure, problem);
  if (problems.length > 0) throw new DispatchrValidationError(problems);
  return {
    queue,
    path,
    method,
    headers,
    body,
    contentType,
    due,
    maxAttempts,
    timeoutMs,
    key,
    traceparent: null,
    priority,
    retry,
    onComplete,
    onFailure,
    ...keyOptions,
  };
}

type Report = (path: string, message: string) => void;

/**
 * A callback target's shape and a relative path (rules/callback-target.ts). Whether its queue is
 * configured needs the config: a callback task to a queue no scheduler serves waits, as any task
 * of an unknown queue waits, until one does (docs/spec.md 11.5).
 */
function checkCallback(field: CallbackField, input: unknown, problem: Report): { queue: string; path: string } | null {
  if (input === undefined || input === null) return null;
  const checked = checkCallbackTarget(field, input);
  if (checked.ok) return { queue: checked.queue, path: checked.path };
  problem(checked.field, checked.message);
  return null;
}

/**
 * The retry settings' shape and duration (rules/task-retry.ts, as the recorder checks them); the
 * options' names and values need the queue's strategy, so the scheduler checks those at dispatch
 * and fails the task, naming the field, when they do not fit.
 */
function checkRetry(input: unknown, problem: Report): string | null {
  if (input === undefined) return null;
  const checked = checkTaskRetry(input);
  if ('problems' in checked) {
    for (const p of checked.problems) problem(p.path === '' ? 'retry' : `retry.${p.path}`, p.message);
    return null;
  }
  const jsonProblem = checked.retry.options === null ? null : findJsonProblem(checked.retry.options);
  if (jsonProblem) {
    problem(jsonProblem.path === '(root)' ? 'retry.options' : `retry.options.${jsonProblem.path}`, jsonProblem.message);
    return null;
  }
  return taskRetryText(checked.retry);
}

function checkPath(input: unknown, problem: Report): string {
  if (input === undefined) return '';
  if (typeof input !== 'string') return (problem('path', 'expected a string'), '');
  const text = textProblem(input);
  if (text) return (problem('path', text), '');
  if (SCHEME.test(input)) {
    return (
      problem('path', 'expected a path: an absolute URL needs the queue target, which enqueueWithin does not know'),
      ''
    );
  }
  const result = normalizeTaskPath(NO_TARGET, input);
  if (!result.ok) return (problem('path', result.message), '');
  return result.path;
}

function checkHeaders(input: unknown, problem: Report): Record<string, string> {
  const headers: Record<string, string> = {};
  if (input === undefined) return headers;
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    return (problem('headers', 'expected an object of header names to strings'), headers);
  const entries = Object.entries(input);
  if (entries.length > MAX_HEADERS) problem('headers', `expected at most ${MAX_HEADERS} headers`);
  const seen = new Set<string>();
  for (const [name, value] of entries) {
    const issue = typeof value !== 'string' ? 'expected a string value' : headerProblem(name, value);
    if (issue) problem(`headers.${name}`, issue);
    // `_` as `-` too (spec 4.6): WSGI, CGI and Rack servers read X_Tenant as X-Tenant.
    else if (seen.has(name.toLowerCase().replaceAll('_', '-')))
      problem(`headers.${name}`, 'header given twice (names are case-insensitive, and _ is read as -)');
    else {
      seen.add(name.toLowerCase().replaceAll('_', '-'));
      headers[name.toLowerCase()] = value as string;
    }
  }
  return headers;
}

function checkBody(
  task: TaskInput,
  method: string,
  problem: Report,
): { body: Uint8Array | null; contentType: string | null } {
  let contentType = task.contentType ?? null;
  if (
    contentType !== null &&
    (typeof contentType !== 'string' || contentType.length > MAX_CONTENT_TYPE_LENGTH || !MEDIA_TYPE.test(contentType))
  ) {
    problem(
      'contentType',
      `expected a media type like "application/json" (at most ${MAX_CONTENT_TYPE_LENGTH} characters)`,
    );
    contentType = null;
  }
  let body: Uint8Array | null = null;
  if (task.body !== undefined && task.bodyBase64 !== undefined)
    problem('bodyBase64', 'expected either body or bodyBase64, not both');
  if (task.body instanceof Uint8Array) {
    body = task.body;
    contentType ??= 'application/octet-stream';
  } else if (task.body !== undefined && task.body !== null) {
    if (task.contentType !== undefined && !isJsonMediaType(String(task.contentType))) {
      problem('contentType', 'body is sent as JSON: use a JSON content type, or bytes for other types');
    }
    body = jsonBytes(task.body, problem);
    contentType ??= 'application/json';
  } else if (task.bodyBase64 !== undefined) {
    if (typeof task.bodyBase64 !== 'string' || !BASE64.test(task.bodyBase64))
      problem('bodyBase64', 'expected standard base64');
    else body = Buffer.from(task.bodyBase64, 'base64');
    contentType ??= 'application/octet-stream';
  }
  if (body !== null && hasNoBody(method)) problem('method', `a ${method} request cannot carry a body`);
  return { body, contentType };
}

/** The JSON text's bytes; NUL and unpaired surrogates (which PostgreSQL cannot store), numbers that are not finite, `__proto__` and deep nesting are refused. */
function jsonBytes(value: unknown, problem: Report): Uint8Array | null {
  const issue = findJsonProblem(value);
  if (issue) return (problem(issue.path === '(root)' ? 'body' : `body.${issue.path}`, issue.message), null);
  let text: string | undefined;
  try {
    text = canonicalJsonText(value);
  } catch (error) {
    return (problem('body', `expected a JSON value (${(error as Error).message})`), null);
  }
  if (text === undefined) return (problem('body', 'expected a JSON value'), null);
  return Buffer.from(text, 'utf8');
}

function checkDue(task: TaskInput, now: Date, problem: Report): Due {
  if (task.runAt !== undefined && task.delay !== undefined)
    problem('delay', 'expected either runAt or delay, not both');
  if (task.runAt !== undefined) {
    const ms =
      task.runAt instanceof Date
        ? task.runAt.getTime()
        : typeof task.runAt === 'string'
          ? parseRfc3339(task.runAt)
          : undefined;
    if (ms === undefined || Number.isNaN(ms))
      problem('runAt', 'expected a Date or an RFC 3339 time like "2025-01-31T12:00:00Z"');
    else if (ms - now.getTime() > MAX_AHEAD_MS) problem('runAt', 'expected at most one year (366 days) ahead');
    else return { runAt: new Date(ms) };
  } else if (task.delay !== undefined) {
    const ms = parseDuration(task.delay, 's');
    if (ms === undefined) problem('delay', 'expected a duration like "10m" or a number of seconds');
    else if (ms > MAX_AHEAD_MS)
      problem('delay', `expected at most one year (366 days) ahead${bareSecondsHint(task.delay)}`);
    else return { delayMs: ms };
  }
  return { delayMs: 0 };
}
