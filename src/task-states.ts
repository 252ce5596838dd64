/**
 * The task states and their groups: what every module, the SDK and the dashboard agree a task can be
 * in. Imports nothing, so the browser bundle can take it too.
 */

export const TASK_STATES = [
  'scheduled',
  'available',
  'running',
  'retryable',
  'completed',
  'failed',
  'cancelled',
] as const;
export type TaskState = (typeof TASK_STATES)[number];

/** Waiting for a slot or a time: cancellable, purgeable, counted as "unfinished" for de-duplication. */
export const WAITING_STATES = ['scheduled', 'available', 'retryable'] as const satisfies readonly TaskState[];
/** Unfinished: the dedup key is unique among these. */
export const UNFINISHED_STATES = [...WAITING_STATES, 'running'] as const satisfies readonly TaskState[];
/** Finished: only these may be deleted or pruned. */
export const FINISHED_STATES = ['completed', 'failed', 'cancelled'] as const satisfies readonly TaskState[];

export function isTaskState(value: unknown): value is TaskState {
  return typeof value === 'string' && (TASK_STATES as readonly string[]).includes(value);
}
