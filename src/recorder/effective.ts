import { effectiveLimits, type EffectiveLimits, type QueueLimitsSource } from '../rules/task-limits.js';

/**
 * The task resource's `effective` (docs/spec.md 4.11): the maxAttempts and timeout the scheduler
 * runs the task with, by this recorder's configuration: the task's own values, else its queue's,
 * clamped to the queue's caps (rules/task-limits.ts, which the scheduler uses too). A stored
 * `maxAttempts: null` says only that the creator sent none; this says what is in force.
 * Null for a task whose queue this configuration does not have.
 */
export interface LimitsConfig {
  queues: Record<string, QueueLimitsSource>;
  scheduler: { leaseDuration: number };
}

export function effectiveOf(
  task: { queue: string; maxAttempts: number | null; timeoutMs: number | null },
  config: LimitsConfig,
): EffectiveLimits | null {
  const queue = Object.hasOwn(config.queues, task.queue) ? config.queues[task.queue] : undefined;
  return queue === undefined ? null : effectiveLimits(task, queue, config.scheduler.leaseDuration);
}
