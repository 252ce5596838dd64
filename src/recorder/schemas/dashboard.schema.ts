import { z } from 'zod';
import { dateTime, digitsPattern, QUEUE_NAME_PATTERN, uuid } from '../openapi-rules.js';
import { TOKEN_ROLES } from '../../config/schema.js';

/**
 * The reads the dashboard added to the API (docs/spec.md 4.15), each scriptable like the rest:
 * who the token is, per-minute activity, and the failed tasks grouped. Queries are text, so numbers
 * are digits checked before they become numbers, as the list's `limit` is.
 */
const time = z.string().meta(dateTime).describe('RFC 3339, UTC');

export const DEFAULT_ACTIVITY_MINUTES = 60;
export const MAX_ACTIVITY_MINUTES = 1440;
/** The failed tasks GET /v1/failures groups, newest first: its cost is bounded whatever the table holds. */
export const FAILURE_SCAN_LIMIT = 10_000;
/** Errors are grouped by their start: the rest of a message often varies from task to task. */
export const FAILURE_ERROR_CHARS = 200;
/** The most task ids a failure group lists: what one bulk action takes (`ids`, 4.9). */
export const FAILURE_GROUP_IDS = 1_000;

const queueFilter = z
  .string({ error: 'expected one queue name' })
  .max(64)
  .meta({ pattern: QUEUE_NAME_PATTERN })
  .optional()
  .describe('Only this queue (404 when it is not configured); default every queue this token may use.');

export const sessionResponse = z.object({
  open: z.boolean().describe('true when recorder.tokens is empty: anyone who reaches the API may do anything.'),
  role: z.enum(TOKEN_ROLES).describe("The token's role (admin on an open API)."),
  name: z.string().nullable().describe("The token's configured name; null when none (or open)."),
  queues: z.array(z.string()).nullable().describe('The queues the token may use, sorted; null: every queue.'),
});

export const activityQuerySchema = z.strictObject({
  minutes: z
    .string({ error: `expected an integer from 1 to ${MAX_ACTIVITY_MINUTES}` })
    .refine((value) => /^\d{1,4}$/.test(value) && Number(value) >= 1 && Number(value) <= MAX_ACTIVITY_MINUTES, {
      error: `expected an integer from 1 to ${MAX_ACTIVITY_MINUTES}`,
    })
    .meta({ pattern: digitsPattern(MAX_ACTIVITY_MINUTES) })
    .optional()
    .describe(
      `How many minutes, the current one included, 1 to ${MAX_ACTIVITY_MINUTES}; default ${DEFAULT_ACTIVITY_MINUTES}.`,
    ),
  queue: queueFilter,
});

export const activityMinute = z.object({
  minute: time.describe("The minute's start (whole minute, UTC)."),
  queue: z.string(),
  completed: z.number().int().describe('Tasks that completed in this minute.'),
  failed: z.number().int().describe('Tasks that failed for good in this minute.'),
  retried: z
    .number()
    .int()
    .describe(
      'Attempts that ended in this minute and left the task waiting for another (retry, lease expired, given back).',
    ),
});

export const activityResponse = z.object({
  since: time.describe('The first minute counted: the start of the current minute, minus minutes - 1.'),
  minutes: z.array(activityMinute).describe('Oldest first, then by queue; only minutes and queues with a count.'),
});

export const failuresQuerySchema = z.strictObject({ queue: queueFilter });

export const failureGroup = z.object({
  queue: z.string(),
  lastStatus: z.number().int().nullable().describe('The HTTP status of the last attempt; null when it got none.'),
  lastError: z
    .string()
    .nullable()
    .describe(`The first ${FAILURE_ERROR_CHARS} characters of the last error, as grouped.`),
  count: z.number().int().describe('Failed tasks of the group among those scanned.'),
  newestTaskId: z.string().meta(uuid).describe('The task of the group that failed last.'),
  taskIds: z
    .array(z.string().meta(uuid))
    .describe(
      `The group's tasks among those read, the most recently failed first, at most ${FAILURE_GROUP_IDS}: the ids a bulk retry of the group takes.`,
    ),
  newestAt: time.describe('When it failed.'),
});

export const failureGroupsResponse = z.object({
  groups: z.array(failureGroup).describe('Largest first, then the most recent.'),
  scanned: z
    .number()
    .int()
    .describe(`Failed tasks read, the most recently failed first (at most ${FAILURE_SCAN_LIMIT}).`),
  complete: z.boolean().describe('true when every failed task in scope was read; false when older ones were left out.'),
});

export type ActivityResponse = z.infer<typeof activityResponse>;
export type FailureGroupsResponse = z.infer<typeof failureGroupsResponse>;
export type SessionResponse = z.infer<typeof sessionResponse>;
