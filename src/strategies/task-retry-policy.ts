import { formatDuration } from '../duration.js';
import { parseTaskRetryText, type TaskRetry } from '../rules/task-retry.js';
import type { RetryPolicy } from './load-plugins.js';
import { parseStrategyOptions, type OptionProblem, type RetryStrategy } from './strategy.js';

/**
 * A task's own `retry` (docs/spec.md 11.3) applied to its queue's policy: the task's options are
 * laid over the queue's `retry.options` key by key and the result goes through the queue
 * strategy's own schema, as the queue's options did at start-up; `maxRetryDuration` may narrow the
 * queue's window, never widen it. The recorder runs this at create time (a 400 naming the field);
 * the scheduler at dispatch, for tasks whose writer could not see the config (enqueueWithin).
 */

/** What a task's retry settings are checked against: its queue's strategy, raw options and window. */
export interface QueueRetrySource {
  strategy: RetryStrategy;
  /** The queue's `retry.options` as configured (before the schema), which the task's override. */
  rawOptions: Record<string, unknown>;
  /** The queue's retry.maxRetryDuration in ms; 0: no limit. */
  maxRetryDurationMs: number;
}

export type TaskRetryResolution = { ok: true; policy: RetryPolicy } | { ok: false; problems: OptionProblem[] };

/**
 * The problems with a task's settings on this queue, paths under `retry` (`options.initialDelay`,
 * `maxRetryDuration`): what the recorder refuses at create time.
 */
export function checkTaskRetryOnQueue(
  retry: TaskRetry,
  queue: QueueRetrySource,
): { ok: true; options: unknown } | { ok: false; problems: OptionProblem[] } {
  const limit = queue.maxRetryDurationMs;
  const window: OptionProblem[] =
    retry.maxRetryDurationMs !== null && limit > 0 && retry.maxRetryDurationMs > limit
      ? [
          {
            path: 'maxRetryDuration',
            message: `expected at most ${formatDuration(limit)}, this queue's retry.maxRetryDuration (a task may shorten its retry window, not lengthen it)`,
          },
        ]
      : [];
  const options = checkTaskRetryOptions(retry, queue);
  if (!options.ok) return { ok: false, problems: [...window, ...options.problems] };
  return window.length > 0 ? { ok: false, problems: window } : options;
}

/** The task's options laid over the queue's raw ones, through the strategy's own schema. */
function checkTaskRetryOptions(
  retry: TaskRetry,
  queue: QueueRetrySource,
): { ok: true; options: unknown } | { ok: false; problems: OptionProblem[] } {
  if (retry.options === null) return { ok: true, options: undefined };
  const parsed = parseStrategyOptions(queue.strategy, { ...queue.rawOptions, ...retry.options });
  if (parsed.ok) return { ok: true, options: parsed.options };
  return {
    ok: false,
    problems: parsed.problems.map((p) => ({
      path: p.path ? `options.${p.path}` : 'options',
      message: `${p.message} (strategy "${queue.strategy.name}")`,
    })),
  };
}

/**
 * The policy a task runs with: its queue's, with the task's settings applied. Options the strategy
 * refuses have no meaning to fall back on, so they fail; a window over the queue's (stored by a
 * writer without the config, or before the queue's was shortened) is clamped to it, as
 * rules/task-limits.ts clamps maxAttempts and timeout.
 */
export function applyTaskRetry(retry: TaskRetry, policy: RetryPolicy): TaskRetryResolution {
  const checked = checkTaskRetryOptions(retry, queueRetrySource(policy));
  if (!checked.ok) return checked;
  const limit = policy.maxRetryDurationMs;
  const own = retry.maxRetryDurationMs;
  return {
    ok: true,
    policy: {
      ...policy,
      options: retry.options === null ? policy.options : checked.options,
      maxRetryDurationMs: own === null ? limit : limit > 0 ? Math.min(own, limit) : own,
    },
  };
}

export function queueRetrySource(policy: RetryPolicy): QueueRetrySource {
  return {
    strategy: policy.strategy,
    rawOptions: policy.rawOptions ?? (policy.options as Record<string, unknown>),
    maxRetryDurationMs: policy.maxRetryDurationMs,
  };
}

/**
 * Resolutions by queue policy and stored text. Tasks of one kind carry the same text, so a claim
 * batch parses and validates each distinct setting once; the bound keeps memory flat when every
 * task is different (the map is simply started afresh).
 */
const CACHE_LIMIT = 1_000;
const resolutions = new WeakMap<RetryPolicy, Map<string, TaskRetryResolution>>();

/**
 * The policy for a task whose row holds `retryText`; null (nearly every task) answers the queue's
 * own policy at once, with no parse. A failure's message names the field: `retry.options.initialDelay: …`.
 */
export function taskRetryPolicy(
  policy: RetryPolicy,
  retryText: string | null | undefined,
): { ok: true; policy: RetryPolicy } | { ok: false; message: string } {
  if (retryText === null || retryText === undefined) return { ok: true, policy };
  let cache = resolutions.get(policy);
  if (cache === undefined) resolutions.set(policy, (cache = new Map()));
  let resolution = cache.get(retryText);
  if (resolution === undefined) {
    if (cache.size >= CACHE_LIMIT) cache.clear();
    const parsed = parseTaskRetryText(retryText);
    resolution =
      'message' in parsed
        ? { ok: false, problems: [{ path: '', message: parsed.message }] }
        : applyTaskRetry(parsed.retry, policy);
    cache.set(retryText, resolution);
  }
  if (resolution.ok) return resolution;
  return { ok: false, message: resolution.problems.map(retryProblemText).join('; ') };
}

/** `retry.options.initialDelay: expected …`; a stored-text problem already names its field. */
function retryProblemText(problem: OptionProblem): string {
  return problem.path === '' ? problem.message : `retry.${problem.path}: ${problem.message}`;
}
