import { z } from 'zod';
import { QUEUE_NAME_PATTERN } from '../openapi-rules.js';
import { checkCallbackTarget, type CallbackField } from '../../rules/callback-target.js';
import type { CallbackTarget } from '../../task.js';

/**
 * `onComplete` / `onFailure` on a create (docs/spec.md 11.5), checked by rules/callback-target.ts:
 * the queue must be configured and the path must stay inside its target. The output is the stored
 * target (the path normalized as a task's is). `targetOf` absent (the OpenAPI document): shape only.
 */
export function callbackInputSchema(field: CallbackField, targetOf?: (queue: string) => string | undefined) {
  return (
    z
      .object(
        {
          queue: z
            .string({ error: 'expected a string' })
            .meta({ pattern: QUEUE_NAME_PATTERN })
            .describe('A configured queue: the callback task goes there.'),
          path: z
            .string({ error: 'expected a string' })
            .optional()
            .describe("Appended to that queue's target, as a task's path is; default: the target."),
        },
        { error: 'expected an object { queue, path }' },
      )
      .passthrough()
      // checkCallbackTarget refuses any other member.
      .meta({ additionalProperties: false })
      .transform((value, ctx): CallbackTarget => {
        const checked = checkCallbackTarget(field, value, targetOf);
        if (checked.ok) return { queue: checked.queue, path: checked.path };
        // The issue's path is relative to this field: drop the field's own name.
        const path = checked.field.split('.').slice(1);
        ctx.addIssue({ code: 'custom', path, message: checked.message });
        return z.NEVER;
      })
      .optional()
      .describe(
        field === 'onComplete'
          ? "{ queue, path }: a callback task enqueued there when this task completes (overrides the queue's callbacks.onComplete)."
          : "{ queue, path }: a callback task enqueued there when this task fails (overrides the queue's callbacks.onFailure).",
      )
  );
}
