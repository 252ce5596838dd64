import { z } from 'zod';
import { dateTime, digitsPattern, uuid } from '../openapi-rules.js';
import { CATCH_UP_POLICIES, OVERLAP_POLICIES } from '../../cron/cron-definition.js';
import { TASK_STATES } from '../../task.js';

/**
 * The /v1/cron routes' answers and query, for the OpenAPI document and for the tests, which parse
 * real responses with them. The request body of `PUT /v1/cron/{name}` is the definition schema
 * itself (src/cron/cron-definition.ts), the one that also reads `cron:` in dispatchr.yml.
 */
const time = z.string().meta(dateTime).describe('RFC 3339, UTC');

export const CRON_STATUSES = ['active', 'paused', 'disabled', 'orphaned'] as const;
export const DEFAULT_CRON_RUNS = 50;
export const MAX_CRON_RUNS = 200;

export const cronEntryResource = z.object({
  name: z.string(),
  source: z.enum(['config', 'api']).describe('config: defined in dispatchr.yml (changed only there); api: by PUT.'),
  status: z
    .enum(CRON_STATUSES)
    .describe(
      'active: it fires; paused: by an operator; disabled: enabled is false; orphaned: a config entry the config no longer has.',
    ),
  queue: z.string(),
  schedule: z.string(),
  timezone: z.string(),
  path: z.string().describe("Normalized against the queue's target, as a task's path is."),
  method: z.string(),
  headers: z.record(z.string(), z.string()).describe('Lowercase names; sensitive values shown as [redacted].'),
  body: z.unknown().describe('The JSON body each fire sends; null for none.'),
  maxAttempts: z.number().int().nullable(),
  timeoutMs: z.number().int().nullable(),
  enabled: z.boolean(),
  catchUp: z.enum(CATCH_UP_POLICIES),
  overlap: z.enum(OVERLAP_POLICIES),
  nextFireTimes: z
    .array(time)
    .describe('Up to five next fire times while active (the first may be past: due, not yet fired); [] otherwise.'),
  lastFireAt: time.nullable(),
  lastTaskId: z.string().meta(uuid).nullable(),
  lastTaskState: z
    .enum(TASK_STATES)
    .nullable()
    .describe('The state of the last task; null when there is none or it was pruned.'),
  createdAt: time,
  updatedAt: time,
});

export const cronEntryListResponse = z.object({ entries: z.array(cronEntryResource).describe('By name.') });

export const cronRunResource = z.object({
  fireAt: time.describe('The fire time (a manual run: when it was triggered).'),
  kind: z.enum(['scheduled', 'manual']).nullable().describe('null when the fire record was pruned.'),
  outcome: z.enum(['fired', 'skipped']).describe('skipped: overlap skip, the previous run was unfinished.'),
  taskId: z.string().meta(uuid).nullable(),
  taskState: z.enum(TASK_STATES).nullable(),
  createdAt: time,
  finalizedAt: time.nullable(),
});

export const cronRunListResponse = z.object({ runs: z.array(cronRunResource).describe('Newest fire time first.') });

export const cronTriggerResponse = z.object({
  name: z.string(),
  taskId: z.string().meta(uuid).describe('The task this run created (GET /v1/tasks/{id}).'),
  fireAt: time,
});

export const cronRunsQuerySchema = z.strictObject({
  limit: z
    .string({ error: `expected an integer from 1 to ${MAX_CRON_RUNS}` })
    .refine((value) => /^\d{1,3}$/.test(value) && Number(value) >= 1 && Number(value) <= MAX_CRON_RUNS, {
      error: `expected an integer from 1 to ${MAX_CRON_RUNS}`,
    })
    .meta({ pattern: digitsPattern(MAX_CRON_RUNS) })
    .optional()
    .describe(`How many runs, 1 to ${MAX_CRON_RUNS}; default ${DEFAULT_CRON_RUNS}.`),
});

export type CronEntryResource = z.infer<typeof cronEntryResource>;
export type CronRunResource = z.infer<typeof cronRunResource>;
export type CronTriggerResource = z.infer<typeof cronTriggerResponse>;
