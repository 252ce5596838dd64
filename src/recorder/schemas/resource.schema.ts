import { z } from 'zod';
import { dateTime, uuid } from '../openapi-rules.js';
import { KEY_MODES } from '../../rules/task-keys.js';
import { ATTEMPT_OUTCOMES, TASK_STATES } from '../../task.js';
import { queueConfigResource } from '../queue-config-view.js';

/**
 * What the API answers. Used for the OpenAPI document and by the tests, which parse real responses
 * with these schemas, so a response that drifts from the document fails the suite.
 */
const time = z.string().meta(dateTime).describe('RFC 3339, UTC');

/** The task resource's views (docs/spec.md 4.11): `basic` leaves out headers and body. */
export const TASK_VIEWS = ['basic', 'full'] as const;
export type TaskView = (typeof TASK_VIEWS)[number];

export const attemptResource = z.object({
  number: z.number().int(),
  startedAt: time,
  finishedAt: time.nullable(),
  status: z.number().int().nullable().describe('HTTP status of the answer; null when none arrived.'),
  outcome: z.enum(ATTEMPT_OUTCOMES).nullable().describe('null while the attempt is running.'),
  durationMs: z.number().int().nullable(),
  error: z
    .string()
    .nullable()
    .describe(
      'null for a completed (or running) attempt; else why it did not complete: `HTTP 503 Service Unavailable: <body start>`, or what went wrong.',
    ),
  responseExcerpt: z.string().nullable(),
});

export const waitingReason = z.object({
  code: z
    .enum([
      'scheduled',
      'backing-off',
      'queue-paused',
      'no-scheduler',
      'at-max-concurrent',
      'at-rate-limit',
      'next-in-line',
      'queue-not-configured',
    ])
    .describe('Stable, machine-readable.'),
  message: z.string().describe('For people; may change.'),
});

const callbackTargetResource = z.object({ queue: z.string(), path: z.string() });

export const taskResource = z.object({
  id: z.string().meta(uuid).describe('UUIDv7'),
  queue: z.string(),
  state: z.enum(TASK_STATES),
  path: z.string().describe('"" for the target itself, else "/..." appended to it.'),
  method: z.string(),
  headers: z
    .record(z.string(), z.string())
    .optional()
    .describe('Full view only. Lowercase names; sensitive values shown as [redacted].'),
  body: z
    .unknown()
    .optional()
    .describe(
      'Full view only. The body as JSON when contentType is a JSON type and the bytes are UTF-8 JSON text (null when there is no body).',
    ),
  bodyBase64: z
    .string()
    .meta({ contentEncoding: 'base64', format: 'byte' })
    .optional()
    .describe('Full view only. The exact bytes, when the body is not shown as `body`.'),
  contentType: z.string().nullable(),
  bodyBytes: z
    .number()
    .int()
    .nullable()
    .describe('Both views: the size of the body in bytes; null when there is no body.'),
  runAt: time,
  attempt: z
    .number()
    .int()
    .describe(
      'The number of the latest attempt (0 before the first), interrupted ones included; back to 0 at a manual retry.',
    ),
  attemptsGivenBack: z
    .number()
    .int()
    .describe(
      'Attempts given back unspent (interrupted by a shutdown or fencing); attempt minus this is what counts against effective.maxAttempts.',
    ),
  priority: z
    .number()
    .int()
    .describe("0 to 9, lower claimed first: the task's own, else its queue's defaultPriority when it was created."),
  maxAttempts: z.number().int().nullable(),
  timeoutMs: z.number().int().nullable(),
  key: z.string().nullable(),
  keyMode: z
    .enum(KEY_MODES)
    .nullable()
    .optional()
    .describe("What a create that meets this task's key does (spec 11.2); null when the task has no key."),
  keyDeadline: time
    .nullable()
    .optional()
    .describe('debounce: the latest due time a debounce may give the task (createdAt + keyMaxWait); null: no bound.'),
  keyRetentionMs: z
    .number()
    .int()
    .nullable()
    .optional()
    .describe('How long the key stays reserved after the task finishes; null: released when it finishes.'),
  traceparent: z.string().nullable(),
  retry: z
    .object({
      maxRetryDurationMs: z
        .number()
        .int()
        .nullable()
        .describe("Stop retrying this long after the first attempt started; null: the queue's retry.maxRetryDuration."),
      options: z
        .record(z.string(), z.unknown())
        .nullable()
        .describe("Options laid over the queue's retry.options, as sent; null: the queue's."),
    })
    .nullable()
    .optional()
    .describe("The task's own retry settings (spec 11.3); null when it has none."),
  cron: z.string().nullable().describe('The cron entry whose fire created the task; null for other tasks.'),
  cronFireAt: time.nullable().describe('That fire time (sent as Dispatchr-Cron-Fire-Time); null for other tasks.'),
  createdAt: time,
  updatedAt: time,
  finalizedAt: time.nullable(),
  lastStatus: z.number().int().nullable().describe('HTTP status of the latest attempt; null when it got none.'),
  lastError: z.string().nullable(),
  onComplete: callbackTargetResource
    .nullable()
    .optional()
    .describe("The task's own callback when it completes (spec 11.5); null: its queue's, if any."),
  onFailure: callbackTargetResource
    .nullable()
    .optional()
    .describe("The task's own callback when it fails (spec 11.5); null: its queue's, if any."),
  callbackOf: z
    .string()
    .meta(uuid)
    .nullable()
    .optional()
    .describe('On a callback task: the id of the task it reports on (spec 11.5); null for other tasks.'),
  result: z
    .object({
      contentType: z.string().nullable().describe("The response's Content-Type; null when not kept."),
      bodyBase64: z
        .string()
        .meta({ contentEncoding: 'base64', format: 'byte' })
        .describe("The response body's first response.maxBytes bytes, base64."),
    })
    .nullable()
    .optional()
    .describe(
      "GET /v1/tasks/{id} in the full view only: the final attempt's response (spec 11.4); null while unfinished or when none arrived.",
    ),
  effective: z
    .object({
      maxAttempts: z
        .number()
        .int()
        .describe(
          "Attempts in all: the task's maxAttempts, else the queue's retry.maxAttempts, at most the queue's taskLimits.maxAttempts.",
        ),
      timeoutMs: z
        .number()
        .int()
        .describe(
          "Per-attempt timeout: the task's timeout, else the queue's, at most the queue's taskLimits.timeout and shorter than the lease.",
        ),
    })
    .nullable()
    .optional()
    .describe(
      "The values the scheduler runs the task with, by this recorder's configuration; null when its queue is not configured.",
    ),
  attempts: z.array(attemptResource).optional().describe('Every attempt, oldest first (GET /v1/tasks/{id}).'),
  deduplicated: z
    .union([z.literal(false), z.enum(['kept', 'replaced', 'debounced'])])
    .optional()
    .describe(
      'Batch answers only: false when the item made a task; else what it did to the task holding its key (spec 11.2).',
    ),
  waiting: waitingReason
    .nullable()
    .optional()
    .describe(
      'GET /v1/tasks/{id} only: why a scheduled, available or retryable task is not running yet; null when it is running or finished.',
    ),
});

export const batchResponse = z.object({ tasks: z.array(taskResource).describe('In request order.') });
export const taskListResponse = z.object({ tasks: z.array(taskResource), nextCursor: z.string().nullable() });

export const queueResource = z.object({
  name: z.string(),
  paused: z.boolean(),
  counts: z.record(z.enum(TASK_STATES), z.number().int()),
  oldestDueAgeSeconds: z.number().describe('Age of the oldest due waiting task; 0 when none is due.'),
  maxConcurrent: z.number().int().describe('Configured: requests in flight across all schedulers.'),
  rateLimit: z
    .object({ perSecond: z.number(), burst: z.number().int().nullable() })
    .nullable()
    .describe('Configured: dispatches per second across all schedulers; null when unlimited.'),
  currentRate: z
    .object({ perSecond: z.number().nullable().describe('null: unlimited.') })
    .nullable()
    .describe(
      'The adaptive rate in force (lowered while the target pushes back): the sum of what the live schedulers enforce, as of their last heartbeats; null when unknown.',
    ),
  config: queueConfigResource.describe('Configured: target (credentials hidden), timeout and retry policy.'),
});

export const queueListResponse = z.object({ queues: z.array(queueResource) });
export const purgeResponse = z.object({
  queue: z.string(),
  purged: z.number().int().describe('Waiting tasks deleted.'),
});

export const problemResource = z.object({
  code: z.string().describe('Stable, machine-readable.'),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  errors: z.array(
    z.object({ path: z.string().describe('Dotted, e.g. headers.x-a or tasks.3.runAt'), message: z.string() }),
  ),
});

export const healthResponse = z.object({ status: z.string() });

export type TaskResource = z.infer<typeof taskResource>;
export type QueueResource = z.infer<typeof queueResource>;
