import { z } from 'zod';
import { formatDuration, parseDuration } from '../duration.js';

/**
 * The retry strategy contract, shared by the built-ins and by plugins.
 *
 * A strategy is a pure function of the attempt data the database stores, never of in-memory state,
 * so a scheduler restart (or another scheduler picking the task up) computes the same delay.
 * Randomness comes only through `attemptInfo.random`, so tests and conformance checks can pin it.
 */

/** What the scheduler knows about the attempt that just failed. */
export interface AttemptInfo {
  /**
   * Attempts counted against maxAttempts so far, the one that just failed included (1 after the
   * first). Interrupted attempts are not counted, so a shutdown does not lengthen the backoff.
   */
  attempt: number;
  /** HTTP status of the answer, or null when there was none (timeout, refused connection). */
  status: number | null;
  /**
   * Retry-After of a 429/503 answer in ms, or null. The scheduler honours it, not the strategy: it
   * waits the longer of it and the strategy's delay, capped at maxDelayMs.
   */
  retryAfterMs: number | null;
  /** Short description of the failure, or null. */
  error: string | null;
  firstAttemptAt: Date;
  queue: string;
  /** Uniform in [0, 1); the only source of randomness a strategy may use. */
  random: () => number;
}

/** One problem found by an options schema; zod's issues have this shape (zod 3 and 4 alike). */
export interface OptionsIssue {
  readonly path: ReadonlyArray<PropertyKey>;
  readonly message: string;
  readonly code?: string;
  readonly keys?: ReadonlyArray<string>;
}

export type OptionsParseResult<Options> =
  { success: true; data: Options } | { success: false; error: { issues: ReadonlyArray<OptionsIssue> } };

/**
 * Structural on purpose: a plugin may bundle its own copy (or major version) of zod, so we rely on
 * `safeParse` alone and never on `instanceof`.
 */
export interface OptionsSchema<Options> {
  safeParse(input: unknown): OptionsParseResult<Options>;
}

export interface RetryStrategy<Options = unknown> {
  /** How the built-in is named in `retry.strategy`; for plugins, the name used in messages. */
  readonly name: string;
  /** Validates `retry.options` at start-up and fills in defaults; durations come out as ms. */
  readonly optionsSchema: OptionsSchema<Options>;
  /** The largest delay `delay` can return for these options; Retry-After is capped by it too. */
  maxDelayMs(options: Options): number;
  /** Milliseconds to wait before the next attempt. Must be pure, finite and >= 0. */
  delay(info: AttemptInfo, options: Options): number;
}

/** Identity helper so plugin authors get the contract's types without spelling them out. */
export function defineStrategy<Options>(strategy: RetryStrategy<Options>): RetryStrategy<Options> {
  return strategy;
}

/** Upper bound for every duration option: a later run time stops being a useful retry and risks Date overflow. */
export const MAX_OPTION_DURATION_MS = 365 * 86_400_000;

/**
 * A duration option accepted the way the config accepts durations: "500ms", "30s", "10m", "1h",
 * "2d" or a number of milliseconds; it parses to a whole number of ms within [minMs, 365d].
 */
export function durationOption(defaultValue: string | number, minMs = 0) {
  const range = `from ${formatDuration(minMs)} to ${formatDuration(MAX_OPTION_DURATION_MS)}`;
  return z
    .union([z.number(), z.string()])
    .transform((value, ctx) => {
      const ms = parseDuration(value, 'ms');
      if (ms === undefined || ms < minMs || ms > MAX_OPTION_DURATION_MS) {
        ctx.addIssue({
          code: 'custom',
          message: `expected a duration ${range} like "500ms", "30s", "10m", "1h" or a number of milliseconds, got ${JSON.stringify(value)}`,
        });
        return z.NEVER;
      }
      return ms;
    })
    .prefault(defaultValue);
}

/**
 * A cross-field check for option objects: `upper` must not be below `lower` (a cap under the start
 * is almost always a unit slip, e.g. "500" meant as seconds). Reported at the `upper` key.
 */
export function atLeast<K extends string>(upper: K, lower: K) {
  return (ctx: { value: Record<K, number>; issues: unknown[] }) => {
    const { [upper]: high, [lower]: low } = ctx.value;
    if (high < low) {
      ctx.issues.push({
        code: 'custom',
        input: high,
        path: [upper],
        message: `expected ${upper} >= ${lower} (${formatDuration(low)}), got ${formatDuration(high)}`,
      });
    }
  };
}

export type DelayResult = { ok: true; delayMs: number } | { ok: false; message: string };

/**
 * The delay before the next attempt, as data: a strategy that throws or returns a negative, NaN or
 * infinite value yields `{ ok: false }` so the scheduler can log it and fall back, never crash.
 * Retry-After (set only for 429/503, or a status statusMap retries) can lengthen the strategy's
 * delay, never shorten it: a target answering `Retry-After: 0` cannot make the scheduler retry
 * faster than the strategy allows. Both are capped by maxDelayMs, so a hostile or buggy server
 * cannot park a task for a year either.
 */
export function nextRetryDelay<Options>(
  strategy: RetryStrategy<Options>,
  options: Options,
  info: AttemptInfo,
): DelayResult {
  const name = describeName(strategy);
  let maxDelayMs: unknown;
  try {
    maxDelayMs = strategy.maxDelayMs(options);
  } catch (error) {
    return { ok: false, message: `strategy "${name}" maxDelayMs threw: ${errorText(error)}` };
  }
  if (!isValidDelay(maxDelayMs)) {
    return { ok: false, message: `strategy "${name}" maxDelayMs returned ${valueText(maxDelayMs)}` };
  }
  let delayMs: unknown;
  try {
    delayMs = strategy.delay(info, options);
  } catch (error) {
    return { ok: false, message: `strategy "${name}" threw for attempt ${info.attempt}: ${errorText(error)}` };
  }
  if (!isValidDelay(delayMs)) {
    return { ok: false, message: `strategy "${name}" returned ${valueText(delayMs)} for attempt ${info.attempt}` };
  }
  const retryAfterMs =
    info.retryAfterMs !== null && Number.isFinite(info.retryAfterMs) ? Math.max(0, info.retryAfterMs) : 0;
  // Over its own declared maximum is a contract breach (conformance reports it); clamp so a run
  // time stays a valid Date rather than reject a delay that is otherwise usable.
  return { ok: true, delayMs: Math.min(Math.max(delayMs, retryAfterMs), maxDelayMs) };
}

/**
 * What is wrong with a value meant to be a strategy, one line per member; empty when it has the
 * contract's shape. Plugins are checked with this before their first use.
 */
export function strategyShapeProblems(candidate: unknown): string[] {
  if (typeof candidate !== 'object' && typeof candidate !== 'function')
    return [`expected a module or object, got ${valueText(candidate)}`];
  if (candidate === null) return ['expected a module or object, got null'];
  const s = candidate as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof s.name !== 'string' || s.name.trim() === '')
    problems.push(`expected an exported "name" (a non-empty string), got ${valueText(s.name)}`);
  const schema = s.optionsSchema as { safeParse?: unknown } | undefined;
  if (typeof schema !== 'object' || schema === null || typeof schema.safeParse !== 'function') {
    problems.push(`expected an exported "optionsSchema" (a zod schema, with safeParse), got ${valueText(schema)}`);
  }
  if (typeof s.delay !== 'function')
    problems.push(`expected an exported "delay" function (attemptInfo, options) => ms, got ${valueText(s.delay)}`);
  if (typeof s.maxDelayMs !== 'function')
    problems.push(`expected an exported "maxDelayMs" function (options) => ms, got ${valueText(s.maxDelayMs)}`);
  return problems;
}

/** A problem with one option; `path` is relative to `retry.options` ("" for the options object itself). */
export interface OptionProblem {
  path: string;
  message: string;
}

export type ParsedOptions<Options> = { ok: true; options: Options } | { ok: false; problems: OptionProblem[] };

/**
 * Runs a strategy's schema over raw `retry.options`, as data. Each problem says what was received,
 * read from the raw input by path, so it works whatever schema library version a plugin bundles.
 */
export function parseStrategyOptions<Options>(strategy: RetryStrategy<Options>, raw: unknown): ParsedOptions<Options> {
  let result: OptionsParseResult<Options>;
  try {
    result = strategy.optionsSchema.safeParse(raw ?? {});
  } catch (error) {
    return { ok: false, problems: [{ path: '', message: `optionsSchema.safeParse threw: ${errorText(error)}` }] };
  }
  if (result.success) return { ok: true, options: result.data };
  return {
    ok: false,
    problems: result.error.issues.flatMap((issue): OptionProblem[] => {
      const at = issue.path.map(String);
      if (issue.code === 'unrecognized_keys' && issue.keys) {
        return issue.keys.map((key) => ({ path: [...at, key].join('.'), message: 'unknown option' }));
      }
      const got = valueAt(raw, at);
      const suffix = issue.message.includes(', got ') || !got.found ? '' : `, got ${valueText(got.value)}`;
      return [{ path: at.join('.'), message: `${issue.message}${suffix}` }];
    }),
  };
}

function valueAt(root: unknown, keys: string[]): { found: boolean; value?: unknown } {
  let value = root;
  for (const key of keys) {
    if (typeof value !== 'object' || value === null || !(key in value)) return { found: false };
    value = (value as Record<string, unknown>)[key];
  }
  return { found: true, value };
}

function isValidDelay(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

function describeName(strategy: { name?: unknown }): string {
  return typeof strategy.name === 'string' ? strategy.name : String(strategy.name);
}

/** How a returned value reads in a message: -1, NaN, Infinity, "5", undefined. */
export function valueText(value: unknown): string {
  if (typeof value === 'number' || value === undefined) return String(value);
  if (typeof value === 'function') return 'a function';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
