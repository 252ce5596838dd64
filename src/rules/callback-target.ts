import { normalizeTaskPath } from './target-path.js';
import { QUEUE_NAME } from './task-fields.js';

/**
 * A task's `onComplete` / `onFailure` (docs/spec.md 11.5): `{ queue, path }`, checked alike by the
 * recorder (which also knows the queue's target) and by `enqueueWithin()` (which does not: it takes
 * relative paths only, and a queue that is not configured leaves the callback task waiting, as any
 * task of an unknown queue waits). Imports nothing but rules: the client's import graph reaches it.
 */
export const CALLBACK_FIELDS = ['onComplete', 'onFailure'] as const;
export type CallbackField = (typeof CALLBACK_FIELDS)[number];

export type CallbackCheck = { ok: true; queue: string; path: string } | { ok: false; field: string; message: string };

const QUEUE_RULE = 'expected a queue name of letters, digits, "_", "." or "-" (at most 64)';

/**
 * `value` → the stored target, or the problem at its field (`onComplete.queue`). `targetOf` answers
 * a configured queue's target URL (undefined: not configured); absent, the queue is not checked and
 * only a relative path is accepted.
 */
export function checkCallbackTarget(
  field: CallbackField,
  value: unknown,
  targetOf?: (queue: string) => string | undefined,
): CallbackCheck {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { ok: false, field, message: 'expected an object { queue, path }' };
  const { queue, path, ...rest } = value as Record<string, unknown>;
  const extra = Object.keys(rest)[0];
  if (extra !== undefined)
    return { ok: false, field: `${field}.${extra}`, message: 'unknown field: expected queue and path' };
  if (typeof queue !== 'string' || !QUEUE_NAME.test(queue))
    return { ok: false, field: `${field}.queue`, message: QUEUE_RULE };
  if (path !== undefined && typeof path !== 'string')
    return { ok: false, field: `${field}.path`, message: 'expected a string' };
  let target: string;
  if (targetOf) {
    const configured = targetOf(queue);
    if (configured === undefined)
      return {
        ok: false,
        field: `${field}.queue`,
        message: `expected a configured queue, got ${JSON.stringify(queue)}`,
      };
    target = configured;
  } else {
    if (path !== undefined && /^[a-z][a-z0-9+.-]*:/i.test(path))
      return {
        ok: false,
        field: `${field}.path`,
        message: 'expected a relative path (the queue target is not known here)',
      };
    target = 'http://target.invalid/';
  }
  const normalized = normalizeTaskPath(target, path);
  if (!normalized.ok) return { ok: false, field: `${field}.path`, message: normalized.message };
  return { ok: true, queue, path: normalized.path };
}
