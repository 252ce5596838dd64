import { bareSecondsHint, formatDuration, parseDuration } from '../duration.js';

/**
 * A task's own retry settings (docs/spec.md 11.3): `retry: { maxRetryDuration, options }`, which
 * override its queue's strategy settings for that one task. What can be checked without the
 * config lives here, so the recorder and `enqueueWithin()` refuse the same shapes with the same
 * words; what needs the queue's strategy (its option names and types, the queue's cap) is
 * strategies/task-retry-policy.ts's, run by the recorder at create time and by the scheduler at
 * dispatch. Dependency-free (kernel only): the client imports it.
 */

/** As stored in `dispatchr_task.retry` (JSON text) and shown as the resource's `retry`. */
export interface TaskRetry {
  /** Stop retrying this long after the first attempt started; null: the queue's. */
  maxRetryDurationMs: number | null;
  /** Strategy options laid over the queue's `retry.options`, key by key, as the creator sent them; null: none. */
  options: Record<string, unknown> | null;
}

/** The longest maxRetryDuration a task may state at all, as for strategy durations (365 days). */
export const MAX_TASK_RETRY_DURATION_MS = 365 * 86_400_000;
/** The stored options' JSON at most: strategy options are a handful of scalars, never a payload. */
export const MAX_TASK_RETRY_OPTIONS_BYTES = 2_048;

/** Why a key of `retry` is refused; the message points where the setting belongs. */
const MISPLACED: Record<string, string> = {
  maxAttempts: "set attempts with the task's top-level maxAttempts, not retry.maxAttempts",
  strategy: "the strategy is the queue's (retry.strategy in its config); a task sets only retry.options",
};

export type RetryProblem = { path: string; message: string };

/** Problems with `retry.<key>` keys that are not ours, paths relative to `retry`. */
export function unknownRetryKeys(input: Record<string, unknown>): RetryProblem[] {
  return Object.keys(input)
    .filter((key) => key !== 'maxRetryDuration' && key !== 'options')
    .map((key) => ({
      path: key,
      message: Object.hasOwn(MISPLACED, key) ? MISPLACED[key] : 'unknown field; expected maxRetryDuration or options',
    }));
}

/**
 * `maxRetryDuration` in the API's grammar ("10m", "90s", or a bare number of seconds) → ms, or
 * why not. 0 is refused: a task narrows its queue's retry window, and "no limit" is the queue's.
 */
export function checkMaxRetryDuration(value: unknown): { ms: number } | { message: string } {
  const ms = parseDuration(value, 's');
  if (ms === undefined)
    return { message: `expected a duration like "10m", "90s" or a number of seconds, got ${JSON.stringify(value)}` };
  if (ms <= 0) return { message: 'expected a duration greater than 0' };
  if (ms > MAX_TASK_RETRY_DURATION_MS)
    return {
      message: `expected a duration of at most ${formatDuration(MAX_TASK_RETRY_DURATION_MS)}${bareSecondsHint(value)}`,
    };
  return { ms };
}

/** `options`: an object of option names to JSON values, small enough to store. */
export function checkRetryOptions(value: unknown): { options: Record<string, unknown> } | { message: string } {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { message: 'expected an object of the queue strategy\'s options, e.g. { "initialDelay": "100ms" }' };
  const bytes = Buffer.byteLength(JSON.stringify(value), 'utf8');
  if (bytes > MAX_TASK_RETRY_OPTIONS_BYTES)
    return { message: `expected at most ${MAX_TASK_RETRY_OPTIONS_BYTES} bytes of JSON, got ${bytes}` };
  return { options: value as Record<string, unknown> };
}

/**
 * A whole `retry` input → what is stored, with every problem (paths relative to `retry`). The
 * recorder's schema and enqueueWithin both come here.
 */
export function checkTaskRetry(input: unknown): { retry: TaskRetry } | { problems: RetryProblem[] } {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    return { problems: [{ path: '', message: 'expected an object with maxRetryDuration and/or options' }] };
  const fields = input as Record<string, unknown>;
  const problems = unknownRetryKeys(fields);
  let maxRetryDurationMs: number | null = null;
  if (fields.maxRetryDuration !== undefined) {
    const checked = checkMaxRetryDuration(fields.maxRetryDuration);
    if ('message' in checked) problems.push({ path: 'maxRetryDuration', message: checked.message });
    else maxRetryDurationMs = checked.ms;
  }
  let options: Record<string, unknown> | null = null;
  if (fields.options !== undefined) {
    const checked = checkRetryOptions(fields.options);
    if ('message' in checked) problems.push({ path: 'options', message: checked.message });
    else options = checked.options;
  }
  return problems.length > 0 ? { problems } : { retry: { maxRetryDurationMs, options } };
}

/** What the column holds: null when the task sets nothing, so the scheduler's usual path stays free of it. */
export function taskRetryText(retry: TaskRetry | null): string | null {
  if (retry === null || (retry.maxRetryDurationMs === null && retry.options === null)) return null;
  return JSON.stringify(retry);
}

/**
 * The column's text → the settings, or why they cannot be read (a writer other than ours may have
 * put anything there). The scheduler fails such a task at dispatch with this message.
 */
export function parseTaskRetryText(text: string): { retry: TaskRetry } | { message: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { message: 'retry: the stored settings are not JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { message: 'retry: the stored settings are not a JSON object' };
  const fields = value as Record<string, unknown>;
  const ms = fields.maxRetryDurationMs ?? null;
  const options = fields.options ?? null;
  if (ms !== null && !(typeof ms === 'number' && Number.isInteger(ms) && ms > 0 && ms <= MAX_TASK_RETRY_DURATION_MS))
    return {
      message: `retry.maxRetryDuration: expected a stored number of ms from 1 to ${MAX_TASK_RETRY_DURATION_MS}`,
    };
  if (options !== null && (typeof options !== 'object' || Array.isArray(options)))
    return { message: 'retry.options: expected an object' };
  return { retry: { maxRetryDurationMs: ms, options: options as Record<string, unknown> | null } };
}
