import { z } from 'zod';
import {
  bulkCrossFieldRules,
  QUEUE_NAME_PATTERN,
  requestDateTime,
  STATE_LIST_PATTERN,
  uuid,
} from '../openapi-rules.js';
import { UUID_PATTERN } from '../../ids.js';
import { TASK_STATES, type TaskState } from '../../task.js';
import { parseRfc3339 } from '../../rules/rfc3339.js';
import { listQuerySchema } from './query.schema.js';

/**
 * The search across queues (`GET /v1/tasks`) and the bulk actions (`POST /v1/tasks/retry` and
 * `POST /v1/tasks/cancel`). They take the same filter words as the operator CLI's flags: `queue`,
 * `state` (one or several, comma-separated), `since`/`until` (RFC 3339, on the creation time),
 * `path` (a prefix) and `search` (text in the body, header names and non-sensitive header values);
 * the bulk actions also `ids`, the tasks a person picked (at most 1,000).
 */
export const MAX_SEARCH_LENGTH = 200;
export const MAX_BULK_IDS = 1000;
/** The states a retry and a cancel start from: the machine's (held to it by dashboard-api.test.ts). */
export const RETRY_STATES = ['failed', 'cancelled'] as const;
export const CANCEL_STATES = ['scheduled', 'available', 'retryable'] as const;

const time = (what: string) =>
  z
    .string({ error: 'expected one RFC 3339 time' })
    .refine((value) => parseRfc3339(value) !== undefined, {
      error: 'expected an RFC 3339 time like "2025-01-31T12:00:00Z"',
    })
    .meta(requestDateTime)
    .describe(what);

const states = z
  .string({ error: 'expected one state, or several separated by commas' })
  .refine((value) => value.split(',').every((state) => (TASK_STATES as readonly string[]).includes(state.trim())), {
    error: `expected states among ${TASK_STATES.join(', ')}, separated by commas`,
  })
  .meta({ pattern: STATE_LIST_PATTERN })
  .describe('One state, or several separated by commas (failed,cancelled).');

const filterFields = {
  queue: z
    .string({ error: 'expected one queue name' })
    .max(64)
    .meta({ pattern: QUEUE_NAME_PATTERN })
    .optional()
    .describe('Only this queue (404 when it is not configured).'),
  since: time('Created at or after this time.').optional(),
  until: time('Created before this time.').optional(),
  path: z
    .string({ error: 'expected one path prefix' })
    .max(2048)
    .optional()
    .describe('Only tasks whose path starts with this.'),
  search: z
    .string({ error: 'expected one search text' })
    .min(1, { error: 'expected at least 1 character' })
    .max(MAX_SEARCH_LENGTH, { error: `expected at most ${MAX_SEARCH_LENGTH} characters` })
    .optional()
    .describe(
      'Case-insensitive text in the body, a header name, or a header value (sensitive header values are not searched).',
    ),
};

export const taskSearchQuerySchema = z.strictObject({
  ...filterFields,
  state: states.optional(),
  limit: listQuerySchema.shape.limit,
  cursor: listQuerySchema.shape.cursor,
  view: listQuerySchema.shape.view,
});

const ids = z
  .array(
    z
      .string({ error: 'expected a task id' })
      .refine((id) => UUID_PATTERN.test(id.toLowerCase()), { error: 'expected a task id (a UUID)' })
      .meta(uuid),
    { error: `expected an array of 1 to ${MAX_BULK_IDS} task ids` },
  )
  .min(1, { error: `expected 1 to ${MAX_BULK_IDS} task ids` })
  .max(MAX_BULK_IDS, { error: `expected at most ${MAX_BULK_IDS} task ids` })
  .describe(`Only these tasks (1 to ${MAX_BULK_IDS} ids); combines with the other fields.`);

/** A bulk action's body: `state` among `among`, required unless `ids` names the tasks. */
function bulkBodySchema<const S extends readonly [TaskState, ...TaskState[]]>(among: S, what: string) {
  const list = among.map((state) => JSON.stringify(state));
  return z
    .strictObject({
      ...filterFields,
      state: z
        .union([z.enum(among), z.array(z.enum(among)).min(1)], {
          error: `expected ${list.slice(0, -1).join(', ')} or ${list.at(-1)}, or an array of them`,
        })
        .optional()
        .describe(
          `Which tasks to ${what}: ${among.join(', ')} (one or an array); required unless \`ids\` is given, then all of them.`,
        ),
      ids: ids.optional(),
      dryRun: z.boolean().optional().describe('Count the matching tasks and change nothing.'),
    })
    .superRefine((body, ctx) => {
      if (body.state === undefined && body.ids === undefined)
        ctx.addIssue({ code: 'custom', path: ['state'], message: `expected a state to ${what}, or ids` });
    })
    .meta(bulkCrossFieldRules);
}

export const bulkRetryBodySchema = bulkBodySchema(RETRY_STATES, 'retry');
export const bulkCancelBodySchema = bulkBodySchema(CANCEL_STATES, 'cancel');

export const bulkRetryResponse = z.object({
  matched: z.number().int().describe('Tasks matching the filter when the retry started.'),
  retried: z
    .number()
    .int()
    .describe(
      'Tasks moved to available (0 on a dry run). May differ from matched when tasks changed meanwhile or a dedup key is held by an unfinished task.',
    ),
});

export const bulkCancelResponse = z.object({
  matched: z.number().int().describe('Waiting tasks matching the filter when the cancel started.'),
  cancelled: z
    .number()
    .int()
    .describe(
      'Tasks moved to cancelled (0 on a dry run). May be lower than matched when tasks were claimed meanwhile.',
    ),
});

export type TaskSearchQuery = z.output<typeof taskSearchQuerySchema>;
export type BulkRetryBody = z.output<typeof bulkRetryBodySchema>;
export type BulkCancelBody = z.output<typeof bulkCancelBodySchema>;

export function parseStates(value: string | undefined): TaskState[] | undefined {
  return value === undefined ? undefined : [...new Set(value.split(',').map((state) => state.trim() as TaskState))];
}
