import { z } from 'zod';
import { checkTaskRetry, MAX_TASK_RETRY_DURATION_MS, type RetryProblem } from '../../rules/task-retry.js';
import { checkTaskRetryOnQueue, type QueueRetrySource } from '../../strategies/task-retry-policy.js';
import { durationSchema } from '../openapi-rules.js';
import type { TaskRules } from './task-input.schema.js';

/**
 * `retry: { maxRetryDuration, options }` (spec 11.3): its shape by rules/task-retry.ts (as
 * enqueueWithin checks it), then the options by the queue's strategy's own schema and the duration
 * by the queue's window, each problem at its field (`retry.options.initialDelay`). A create body's
 * field (task-input.schema.ts), in its own module because it is its own small language.
 */
export function taskRetrySchema(rules: TaskRules) {
  // Loose, so unknown members reach checkTaskRetry, whose messages point where they belong.
  return (
    z
      .looseObject({
        maxRetryDuration: z
          .unknown()
          .meta(durationSchema({ exclusiveMinimum: 0, maximumMs: MAX_TASK_RETRY_DURATION_MS }))
          .optional()
          .describe(
            'Stop retrying this long after the first attempt started ("10m", "90s" or seconds); > 0, at most the queue\'s retry.maxRetryDuration.',
          ),
        options: z
          .unknown()
          .meta({ type: 'object' })
          .optional()
          .describe(
            "Options of the queue's retry strategy, laid over the queue's retry.options key by key; checked by that strategy's schema (durations as in the config: a bare number is milliseconds).",
          ),
      })
      // checkTaskRetry refuses any other member.
      .meta({ additionalProperties: false })
      .superRefine((value, ctx) => {
        for (const problem of taskRetryProblems(value, rules.retry))
          ctx.addIssue({
            code: 'custom',
            path: problem.path === '' ? [] : problem.path.split('.'),
            message: problem.message,
          });
      })
      .optional()
      .describe(
        "The task's own retry settings, overriding its queue's strategy options and narrowing its retry window; attempts are set by maxAttempts.",
      )
  );
}

/** Paths relative to `retry`; the queue's checks run once the shape is right. */
function taskRetryProblems(value: unknown, queue: QueueRetrySource | undefined): RetryProblem[] {
  const checked = checkTaskRetry(value);
  if ('problems' in checked) return checked.problems;
  if (queue === undefined) return [];
  const onQueue = checkTaskRetryOnQueue(checked.retry, queue);
  return onQueue.ok ? [] : onQueue.problems;
}
