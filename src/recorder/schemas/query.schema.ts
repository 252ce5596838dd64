import { z } from 'zod';
import { CURSOR_PATTERN, digitsPattern } from '../openapi-rules.js';
import { TASK_STATES } from '../../task.js';
import { TASK_VIEWS } from './resource.schema.js';

/**
 * Query strings arrive as text (or arrays when repeated), so limits are digits checked before they
 * become numbers: `limit=1e9`, `limit=-1` and `limit=1&limit=2` are refused, never coerced.
 */
export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

/** `view`: lists answer `basic` unless asked, a single task `full` (docs/spec.md 4.11). */
const view = (otherwise: 'basic' | 'full') =>
  z
    .enum(TASK_VIEWS, { error: `expected ${TASK_VIEWS.map((v) => JSON.stringify(v)).join(' or ')}` })
    .optional()
    .describe(`basic (no headers or body) or full; default ${otherwise}.`);

export const listQuerySchema = z.strictObject({
  state: z.enum(TASK_STATES).optional().describe('Only tasks in this state.'),
  limit: z
    .string({ error: `expected an integer from 1 to ${MAX_LIMIT}` })
    .refine((value) => /^\d{1,4}$/.test(value) && Number(value) >= 1 && Number(value) <= MAX_LIMIT, {
      error: `expected an integer from 1 to ${MAX_LIMIT}`,
    })
    .meta({ pattern: digitsPattern(MAX_LIMIT) })
    .optional()
    .describe(`Page size, 1 to ${MAX_LIMIT}; default ${DEFAULT_LIMIT}.`),
  cursor: z
    .string({ error: 'expected one cursor' })
    .max(200)
    // Anything else is refused when the cursor is decoded (db/cursor.ts).
    .meta({ pattern: CURSOR_PATTERN })
    .optional()
    .describe('nextCursor of the previous page; opaque.'),
  view: view('basic'),
});

/** GET /v1/tasks/{id}: only `view`; anything else is refused like on every route (4.1). */
export const taskReadQuerySchema = z.strictObject({ view: view('full') });

export type ListQuery = z.output<typeof listQuerySchema>;
