import { z } from 'zod';
import { bareSecondsHint, formatDuration, parseDuration } from '../../duration.js';
import { taskHeadersSchema } from '../../rules/task-headers.schema.js';
import { parseRfc3339 } from '../../rules/rfc3339.js';
import { KEY_MODES, keyOptionProblems, MAX_KEY_MAX_WAIT_MS, MAX_KEY_RETENTION_MS } from '../../rules/task-keys.js';
import { MAX_PATH_LENGTH, normalizeTaskPath } from '../../rules/target-path.js';
import {
  BASE64,
  hasNoBody,
  isJsonMediaType,
  MAX_CONTENT_TYPE_LENGTH,
  MAX_KEY_LENGTH,
  MEDIA_TYPE,
  TASK_METHODS,
} from '../../rules/task-fields.js';
import {
  LEASE_HEADROOM_MS,
  longestTimeoutFor,
  MAX_AHEAD_MS,
  MAX_TASK_ATTEMPTS,
  taskCapsOf,
  type QueueLimitsSource,
  type TaskCaps,
} from '../../rules/task-limits.js';
import { MAX_PRIORITY, MIN_PRIORITY, PRIORITY_RULE } from '../../rules/task-priority.js';
import { callbackInputSchema } from './callback-input.schema.js';
import { durationSchema, headersSchema, requestDateTime, taskCrossFieldRules } from '../openapi-rules.js';
import type { QueueRetrySource } from '../../strategies/task-retry-policy.js';
import { taskRetrySchema } from './task-retry-input.schema.js';

/**
 * The request schemas for creating tasks. The same zod objects validate requests and generate the
 * OpenAPI document (io: 'input'), so the document cannot drift from what the API accepts.
 * Field rules live on the fields, so one answer lists every bad field; rules that need two fields
 * (body vs bodyBase64, runAt vs delay) run once the fields themselves are valid. The field shapes
 * and limits come from src/rules/ (task-fields, task-limits, task-headers, target-path), which
 * `enqueueWithin()` checks against too.
 */
export const MAX_BATCH = 1000;

export interface TaskRules {
  /** The queue's target base URL; `path` must stay inside it. */
  target: string;
  /** scheduler.leaseDuration: a per-task timeout must be shorter. */
  leaseMs: number;
  /** The queue's caps on maxAttempts and timeout (rules/task-limits.ts); absent: only the API's own limits. */
  caps?: TaskCaps;
  /** A configured queue's target, for callbacks (spec 11.5); absent: their shape only. */
  queueTarget?: (queue: string) => string | undefined;
  /** The queue's retry strategy and window, which a task's own `retry` must fit (spec 11.3); absent: its shape only. */
  retry?: QueueRetrySource;
  now: () => number;
}

/** The rules for creating tasks on a queue: its target, the lease, and its caps. */
export function queueTaskRules(
  queue: { target: string } & QueueLimitsSource,
  leaseMs: number,
  now: () => number,
  retry?: QueueRetrySource,
): TaskRules {
  return { target: queue.target, leaseMs, caps: taskCapsOf(queue, leaseMs), now, ...(retry ? { retry } : {}) };
}

/**
 * "10m", "90s" or a bare number of seconds (the API's unit; config uses milliseconds). A bare
 * number that a limit refuses gets a hint, since milliseconds were the likely meaning.
 */
function duration(
  description: string,
  check: (ms: number) => string | null,
  bounds: Parameters<typeof durationSchema>[0] = {},
) {
  return z
    .union([z.number(), z.string()], { error: 'expected a duration like "90s", "10m" or a number of seconds' })
    .superRefine((value, ctx) => {
      const ms = parseDuration(value, 's');
      const message =
        ms === undefined
          ? `expected a duration like "90s", "10m" or a number of seconds, got ${JSON.stringify(value)}`
          : check(ms);
      if (message)
        ctx.addIssue({
          code: 'custom',
          message: ms !== undefined && ms > 0 ? message + bareSecondsHint(value) : message,
        });
    })
    .describe(description)
    .meta(durationSchema(bounds));
}

export function taskInputSchema(rules: TaskRules) {
  const task = z.strictObject({
    path: z
      .string({ error: 'expected a string' })
      .max(MAX_PATH_LENGTH, { error: `expected at most ${MAX_PATH_LENGTH} characters` })
      .superRefine((value, ctx) => {
        const result = normalizeTaskPath(rules.target, value);
        if (!result.ok) ctx.addIssue({ code: 'custom', message: result.message });
      })
      .optional()
      .describe(
        'Appended to the queue target with exactly one "/" between them, query kept; default: the target itself.',
      ),
    method: z.enum(TASK_METHODS).optional().describe('HTTP method of the dispatch; default POST.'),
    headers: taskHeadersSchema()
      .meta(headersSchema)
      .optional()
      .describe('Extra request headers. Sensitive ones are stored and sent but shown as [redacted].'),
    body: z.unknown().optional().describe('Any JSON value, sent as JSON (contentType defaults to application/json).'),
    bodyBase64: z
      .string({ error: 'expected a base64 string' })
      .regex(BASE64, { error: 'expected standard base64 (A-Z, a-z, 0-9, +, /, = padding)' })
      .meta({ contentEncoding: 'base64', format: 'byte' })
      .optional()
      .describe('The exact bytes to send, base64-encoded (contentType defaults to application/octet-stream).'),
    contentType: z
      .string({ error: 'expected a string' })
      .max(MAX_CONTENT_TYPE_LENGTH, { error: `expected at most ${MAX_CONTENT_TYPE_LENGTH} characters` })
      .regex(MEDIA_TYPE, { error: 'expected a media type like "application/json" or "text/plain; charset=utf-8"' })
      .optional(),
    runAt: z
      .string({ error: 'expected an RFC 3339 time like "2025-01-31T12:00:00Z"' })
      .superRefine((value, ctx) => {
        const at = parseRfc3339(value);
        if (at === undefined)
          ctx.addIssue({
            code: 'custom',
            message: `expected an RFC 3339 time like "2025-01-31T12:00:00Z", got ${JSON.stringify(value)}`,
          });
        else if (at - rules.now() > MAX_AHEAD_MS)
          ctx.addIssue({ code: 'custom', message: 'expected a time at most one year (366 days) ahead' });
      })
      .meta(requestDateTime)
      .optional()
      .describe('RFC 3339 time when the task is due; a past time means due now. At most one year ahead.'),
    delay: duration(
      'Due this long from now ("10m", "90s" or seconds); at most one year.',
      (ms) => (ms > MAX_AHEAD_MS ? 'expected a delay of at most one year (366 days)' : null),
      { maximumMs: MAX_AHEAD_MS },
    ).optional(),
    key: z
      .string({ error: 'expected a string' })
      .min(1, { error: 'expected at least 1 character' })
      .max(MAX_KEY_LENGTH, { error: `expected at most ${MAX_KEY_LENGTH} characters` })
      .optional()
      .describe('De-duplication key: while a task of the queue with this key is unfinished, creates answer that task.'),
    keyMode: z
      .enum(KEY_MODES, { error: `expected one of ${KEY_MODES.join(', ')}` })
      .optional()
      .describe(
        "What a create that meets the key's holder does (keep by default); replace and debounce change only a holder never delivered.",
      ),
    keyMaxWait: duration(
      'debounce: the holder is never postponed past its creation + this ("1h" or seconds); at most one year.',
      (ms) =>
        ms <= 0
          ? 'expected a duration greater than 0'
          : ms > MAX_KEY_MAX_WAIT_MS
            ? 'expected at most one year (366 days)'
            : null,
      { exclusiveMinimum: 0, maximumMs: MAX_KEY_MAX_WAIT_MS },
    ).optional(),
    keyRetention: duration(
      'Keep the key reserved this long after its task finishes ("10m" or seconds); at most 7 days.',
      (ms) =>
        ms <= 0 ? 'expected a duration greater than 0' : ms > MAX_KEY_RETENTION_MS ? 'expected at most 7 days' : null,
      { exclusiveMinimum: 0, maximumMs: MAX_KEY_RETENTION_MS },
    ).optional(),
    priority: z
      .number({ error: PRIORITY_RULE })
      .int({ error: PRIORITY_RULE })
      .min(MIN_PRIORITY, { error: PRIORITY_RULE })
      .max(MAX_PRIORITY, { error: PRIORITY_RULE })
      .optional()
      .describe(
        `${MIN_PRIORITY} to ${MAX_PRIORITY}, lower claimed first (ties by runAt, then creation order); default: the queue's defaultPriority.`,
      ),
    maxAttempts: z
      .number({ error: `expected an integer from 1 to ${MAX_TASK_ATTEMPTS}` })
      .int({ error: `expected an integer from 1 to ${MAX_TASK_ATTEMPTS}` })
      .min(1, { error: 'expected an integer >= 1' })
      .max(MAX_TASK_ATTEMPTS, { error: `expected an integer <= ${MAX_TASK_ATTEMPTS}` })
      .superRefine((value, ctx) => {
        // Above 1,000 the check before has said it already.
        const cap = rules.caps?.maxAttempts ?? MAX_TASK_ATTEMPTS;
        if (value <= MAX_TASK_ATTEMPTS && value > cap)
          ctx.addIssue({
            code: 'custom',
            message: `expected an integer <= ${cap}, this queue's cap (taskLimits.maxAttempts)`,
          });
      })
      .optional()
      .describe(
        "Attempts in all, overriding the queue's retry.maxAttempts; at most the queue's taskLimits.maxAttempts.",
      ),
    timeout: duration(
      'Per-attempt timeout ("30s" or seconds); > 0, at least 2 s shorter than scheduler.leaseDuration, at most the queue\'s taskLimits.timeout.',
      (ms) => {
        if (ms <= 0) return 'expected a timeout greater than 0';
        if (rules.caps?.timeoutCapped && ms > rules.caps.timeoutMs)
          return `expected a timeout of at most ${formatDuration(rules.caps.timeoutMs)}, this queue's cap (taskLimits.timeout)`;
        if (ms > longestTimeoutFor(rules.leaseMs)) {
          return `expected a timeout of at most ${formatDuration(longestTimeoutFor(rules.leaseMs))}: ${LEASE_HEADROOM_MS / 1000} s shorter than scheduler.leaseDuration (${formatDuration(rules.leaseMs)})`;
        }
        return null;
      },
      { exclusiveMinimum: 0 },
    ).optional(),
    retry: taskRetrySchema(rules),
    onComplete: callbackInputSchema('onComplete', rules.queueTarget),
    onFailure: callbackInputSchema('onFailure', rules.queueTarget),
  });
  return (
    task
      .superRefine((input, ctx) => {
        if (input.body !== undefined && input.bodyBase64 !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['bodyBase64'],
            message: 'expected either body or bodyBase64, not both',
          });
        }
        if (input.body !== undefined && input.contentType !== undefined && !isJsonMediaType(input.contentType)) {
          ctx.addIssue({
            code: 'custom',
            path: ['contentType'],
            message: 'body is sent as JSON: use a JSON content type, or bodyBase64 for other types',
          });
        }
        for (const issue of keyOptionProblems(input))
          ctx.addIssue({ code: 'custom', path: [issue.path], message: issue.message });
        if (input.runAt !== undefined && input.delay !== undefined) {
          ctx.addIssue({ code: 'custom', path: ['delay'], message: 'expected either runAt or delay, not both' });
        }
        const hasBody = (input.body !== undefined && input.body !== null) || input.bodyBase64 !== undefined;
        if (hasBody && input.method !== undefined && hasNoBody(input.method)) {
          ctx.addIssue({ code: 'custom', path: ['method'], message: `a ${input.method} request cannot carry a body` });
        }
      })
      // The same two-field rules, as JSON Schema for the document (openapi-rules.ts).
      .meta(taskCrossFieldRules)
  );
}

export type TaskInput = z.output<ReturnType<typeof taskInputSchema>>;

export function batchInputSchema(rules: TaskRules) {
  return z.strictObject({
    tasks: z
      .array(taskInputSchema(rules), { error: 'expected an array of tasks' })
      .min(1, { error: 'expected at least 1 task' })
      .max(MAX_BATCH, { error: `expected at most ${MAX_BATCH} tasks` })
      .describe(`Up to ${MAX_BATCH} tasks, created all or nothing.`),
  });
}
