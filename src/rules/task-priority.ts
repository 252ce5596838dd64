/**
 * A task's priority (spec 11.1): an integer from 0 to 9, lower claimed first, 0 by default (as in
 * Oban; River and BullMQ also make the default the most urgent, so work is demoted, never promoted
 * past it). Ten levels are what the claim probes one by one (migration 0017): a bounded, small set
 * keeps each level an index range scan. Dependency-free: the recorder's schema, the config schema,
 * `enqueueWithin()` and the storage all read it.
 */
export const MIN_PRIORITY = 0;
export const MAX_PRIORITY = 9;
export const DEFAULT_PRIORITY = 0;

/** Every level, most urgent first: the order the claim visits them in. */
export const PRIORITY_LEVELS: readonly number[] = Array.from(
  { length: MAX_PRIORITY - MIN_PRIORITY + 1 },
  (_, i) => MIN_PRIORITY + i,
);

/** The one wording of the rule, in API answers, client errors and config errors alike. */
export const PRIORITY_RULE = `expected an integer from ${MIN_PRIORITY} to ${MAX_PRIORITY}`;

export function isPriority(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= MIN_PRIORITY && (value as number) <= MAX_PRIORITY;
}
