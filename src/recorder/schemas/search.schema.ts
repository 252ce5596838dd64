import { z } from 'zod';
import { TASK_STATES, type TaskState } from '../../task.js';
import { parseRfc3339 } from '../../rules/rfc3339.js';
import { listQuerySchema } from './query.schema.js';

/**
 * The search across queues (`GET /v1/tasks`) and the bulk retry (`POST /v1/tasks/retry`). Both
 * take the same filter words as the operator CLI's flags: `queue`, `state` (one or several,
 * comma-separated), `since`/`until` (RFC 3339, on the creation time), `path` (a prefix) and
 * `search` (text in the body, header names and non-sensitive header values).
 */
export const MAX_SEARCH_LENGTH = 200;
export const RETRY_STATES = ['failed', 'cancelled'] as const;

const time = (what: string) =>
  z
    .string({ error: 'expected one RFC 3339 time' })
    .refine((value) => parseRfc3339(value) !== undefined, {
      error: 'expected an RFC 3339 time like "2025-01-31T12:00:00Z"',
    })
    .describe(what);

const states = z
  .string({ error: 'expected one state, or several separated by commas' })
  .refine((value) => value.split(',').every((state) => (TASK_STATES as readonly string[]).includes(state.trim())), {
    error: `expected states among ${TASK_STATES.join(', ')}, separated by commas`,
  })
  .describe('One state, or several separated by commas (failed,cancelled).');

const filterFields = {
  queue: z
    .string({ error: 'expected one queue name' })
    .max(64)
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

export const bulkRetryBodySchema = z.strictObject({
  ...filterFields,
  state: z
    .union([z.enum(RETRY_STATES), z.array(z.enum(RETRY_STATES)).min(1)], {
      error: 'expected "failed", "cancelled" or an array of them',
    })
    .describe('Which finished tasks to retry: failed, cancelled, or both.'),
  dryRun: z.boolean().optional().describe('Count the matching tasks and change nothing.'),
});

export const bulkRetryResponse = z.object({
  matched: z.number().int().describe('Tasks matching the filter when the retry started.'),
  retried: z
    .number()
    .int()
    .describe(
      'Tasks moved to available (0 on a dry run). May differ from matched when tasks changed meanwhile or a dedup key is held by an unfinished task.',
    ),
});

export type TaskSearchQuery = z.output<typeof taskSearchQuerySchema>;
export type BulkRetryBody = z.output<typeof bulkRetryBodySchema>;

export function parseStates(value: string | undefined): TaskState[] | undefined {
  return value === undefined ? undefined : [...new Set(value.split(',').map((state) => state.trim() as TaskState))];
}
