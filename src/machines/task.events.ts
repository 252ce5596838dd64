/**
 * The events that move a task. Dotted lowercase, as in docs/spec.md. `exhausted` says whether the
 * retry budget (maxAttempts or maxRetryDuration) is used up; the caller computes it from the row.
 */
export type TaskEvent =
  | { type: 'claim' }
  | { type: 'dispatch.succeeded' }
  | { type: 'dispatch.failed'; exhausted: boolean }
  | { type: 'dispatch.discarded' }
  | { type: 'rescue'; exhausted: boolean }
  | { type: 'interrupt' }
  | { type: 'cancel' }
  | { type: 'cancel.running' }
  | { type: 'cancel.acknowledged' }
  | { type: 'retry' }
  | { type: 'run' };

export type TaskEventType = TaskEvent['type'];

export const TASK_EVENT_TYPES: readonly TaskEventType[] = [
  'claim',
  'dispatch.succeeded',
  'dispatch.failed',
  'dispatch.discarded',
  'rescue',
  'interrupt',
  'cancel',
  'cancel.running',
  'cancel.acknowledged',
  'retry',
  'run',
];

/** Events whose target depends on the retry budget. */
export const BUDGETED_EVENTS: readonly TaskEventType[] = ['dispatch.failed', 'rescue'];

/** Events that end an attempt: the settle writes them (the producer's outcomes and the rescuer's). */
export const SETTLE_EVENTS: readonly TaskEventType[] = [
  'dispatch.succeeded',
  'dispatch.failed',
  'dispatch.discarded',
  'rescue',
  'interrupt',
];
