import { z } from 'zod';
import { QUEUE_NAME } from '../rules/task-fields.js';
import { MAX_PATH_LENGTH } from '../rules/target-path.js';
import { integer } from './units.schema.js';

/**
 * A queue's stored result and callbacks (docs/spec.md 11.4, 11.5). Bounded on purpose: a result is
 * for seeing what the target answered, not a data store; results belong in the application's database.
 */

/** Today's response excerpt: the least a result keeps, and the default. */
export const DEFAULT_RESULT_BYTES = 1024;
/** 1 MiB: the most a queue may keep of each final response. */
export const MAX_RESULT_BYTES = 1_048_576;

export const responseSchema = z
  .strictObject({
    maxBytes: integer(DEFAULT_RESULT_BYTES, MAX_RESULT_BYTES)
      .default(DEFAULT_RESULT_BYTES)
      .describe(
        `Bytes of the final attempt's response body kept on the task with its content type (${DEFAULT_RESULT_BYTES} to ${MAX_RESULT_BYTES}; default ${DEFAULT_RESULT_BYTES}, the excerpt).`,
      ),
  })
  .prefault({});

/** A callback target: a configured queue and a path inside its target (checked in load.ts). */
export const callbackTargetSchema = z.strictObject({
  queue: z.string().regex(QUEUE_NAME, 'expected a queue name').describe('The queue the callback task goes to.'),
  path: z
    .string()
    .max(MAX_PATH_LENGTH, { error: `expected at most ${MAX_PATH_LENGTH} characters` })
    .default('')
    .describe("Appended to that queue's target, as a task's path is."),
});

export const queueCallbacksSchema = z
  .strictObject({
    onComplete: callbackTargetSchema.optional().describe('Enqueued when a task of this queue completes.'),
    onFailure: callbackTargetSchema.optional().describe('Enqueued when a task of this queue fails.'),
  })
  .optional()
  .describe("Callback tasks for this queue's tasks; a task's own onComplete / onFailure wins.");
