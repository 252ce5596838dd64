import { z } from 'zod';
import { TASK_STATES } from '../../task.js';

/**
 * Query strings arrive as text (or arrays when repeated), so limits are digits checked before they
 * become numbers: `limit=1e9`, `limit=-1` and `limit=1&limit=2` are refused, never coerced.
 */
export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

export const listQuerySchema = z.strictObject({
  state: z.enum(TASK_STATES).optional().describe('Only tasks in this state.'),
  limit: z
    .string({ error: `expected an integer from 1 to ${MAX_LIMIT}` })
    .refine((value) => /^\d{1,4}$/.test(value) && Number(value) >= 1 && Number(value) <= MAX_LIMIT, {
      error: `expected an integer from 1 to ${MAX_LIMIT}`,
    })
    .optional()
    .describe(`Page size, 1 to ${MAX_LIMIT}; default ${DEFAULT_LIMIT}.`),
  cursor: z.string({ error: 'expected one cursor' }).max(200).optional().describe('nextCursor of the previous page; opaque.'),
});

export type ListQuery = z.output<typeof listQuerySchema>;
