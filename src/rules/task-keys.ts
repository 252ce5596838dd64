/**
 * The key options' rules (docs/spec.md 11.2), read by the recorder's request schema and by
 * `enqueueWithin()` alike. Imports nothing.
 */

/** keep: answer the holder; replace: rewrite its request and due time; debounce: postpone it. */
export const KEY_MODES = ['keep', 'replace', 'debounce'] as const;
export type KeyMode = (typeof KEY_MODES)[number];

/**
 * The longest keyRetention: 7 days, the default retention of completed tasks, since the key is
 * held by the finished row and a row pruned sooner frees it anyway. A window for de-duplicating
 * retried or replayed creates (QStash keeps 10 minutes, Cloud Tasks a task name about 1 hour to 9
 * days), not a permanent registry of keys: that belongs in the application's database.
 */
export const MAX_KEY_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

/** The longest keyMaxWait: a year, as far ahead as a task may be due at all (task-limits.ts). */
export const MAX_KEY_MAX_WAIT_MS = 366 * 24 * 60 * 60 * 1000;

export function isKeyMode(value: unknown): value is KeyMode {
  return typeof value === 'string' && (KEY_MODES as readonly string[]).includes(value);
}

/** A problem with the key options taken together: each needs `key`, and keyMaxWait needs debounce. */
export function keyOptionProblems(input: {
  key?: unknown;
  keyMode?: unknown;
  keyMaxWait?: unknown;
  keyRetention?: unknown;
}): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  if (input.key === undefined)
    for (const field of ['keyMode', 'keyMaxWait', 'keyRetention'] as const)
      if (input[field] !== undefined) problems.push({ path: field, message: `${field} needs a key` });
  if (input.keyMaxWait !== undefined && input.key !== undefined && input.keyMode !== 'debounce')
    problems.push({ path: 'keyMaxWait', message: 'keyMaxWait bounds a debounce: use it with keyMode "debounce"' });
  return problems;
}
