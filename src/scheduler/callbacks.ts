import { canonicalJsonText } from '../rules/json-canonical.js';
import { DEFAULT_RESULT_BYTES } from '../config/results.schema.js';
import type { QueueConfig } from '../config/schema.js';
import type { Settlement } from '../db/dispatch.repository.js';
import { toTaskInsertRow } from '../db/task-insert-row.js';
import { uuidv7 } from '../ids.js';
import type { CallbackTarget, TaskRecord } from '../task.js';
import type { DispatchResult } from '../workers/protocol.js';

/**
 * Stored results and callbacks on the scheduler's side (docs/spec.md 11.4, 11.5), pure: which
 * attempts bring their body back, and what a finishing settlement writes besides the task: its
 * result and its callback task. The driver writes both in the settle's transaction, only when the
 * compare-and-set wins. A cancel never settles here, so it never fires a callback.
 */

/** The callback a task finishing in `state` fires: its own target, else its queue's; never for a callback task. */
export function callbackTargetFor(
  task: TaskRecord,
  queue: QueueConfig | undefined,
  state: Settlement['state'],
): CallbackTarget | null {
  if (task.callbackOf) return null; // a callback never triggers a callback
  if (state === 'completed') return task.onComplete ?? queue?.callbacks?.onComplete ?? null;
  if (state === 'failed') return task.onFailure ?? queue?.callbacks?.onFailure ?? null;
  return null;
}

/**
 * Bytes of the response the worker hands back for this task (DispatchRequest.keepBytes): the
 * queue's response.maxBytes when it keeps more than the excerpt, or when the task has a callback
 * (whose body carries the result); 0 otherwise, the common case, where only the excerpt crosses.
 */
export function keepBytesFor(task: TaskRecord, queue: QueueConfig): number {
  const maxBytes = queue.response?.maxBytes ?? DEFAULT_RESULT_BYTES;
  if (maxBytes > DEFAULT_RESULT_BYTES) return maxBytes;
  const hasCallback =
    !task.callbackOf &&
    Boolean(task.onComplete ?? task.onFailure ?? queue.callbacks?.onComplete ?? queue.callbacks?.onFailure);
  return hasCallback ? maxBytes : 0;
}

/**
 * `settlement` with its stored result and callback task, when it finishes a task that has either.
 * `result` is the attempt's outcome (absent for a rescue: no response). Returns the same object
 * for every other settlement, so the hot settle sees nothing new.
 */
export function withResultAndCallback(
  settlement: Settlement,
  task: TaskRecord,
  queue: QueueConfig | undefined,
  result: DispatchResult | null,
  now: Date,
): Settlement {
  if (settlement.state !== 'completed' && settlement.state !== 'failed') return settlement;
  const kept = result?.responseBody;
  const stored =
    kept === undefined || kept === null ? null : { body: kept, contentType: result?.responseContentType ?? null };
  const target = callbackTargetFor(task, queue, settlement.state);
  if (stored === null && target === null) return settlement;
  // A finish without a response (a rescue, a refused target) clears an older result rather than show it.
  const out: Settlement = { ...settlement, result: stored ?? { body: null, contentType: null } };
  if (target !== null) out.callback = callbackRow(task, settlement, target, stored, now);
  return out;
}

/** The callback task's body (docs/spec.md 11.5): what the application needs to act on the outcome. */
export interface CallbackBody {
  taskId: string;
  queue: string;
  state: 'completed' | 'failed';
  /** Attempts the task used: interrupted ones given back are not counted. */
  attempts: number;
  lastStatus: number | null;
  result: { contentType: string | null; bodyBase64: string } | null;
}

function callbackRow(
  task: TaskRecord,
  settlement: Settlement,
  target: CallbackTarget,
  stored: { body: Uint8Array; contentType: string | null } | null,
  now: Date,
) {
  const body: CallbackBody = {
    taskId: task.id,
    queue: task.queue,
    state: settlement.state as CallbackBody['state'],
    attempts: settlement.attempt - task.attemptsGivenBack,
    lastStatus: settlement.lastStatus,
    result:
      stored === null
        ? null
        : { contentType: stored.contentType, bodyBase64: Buffer.from(stored.body).toString('base64') },
  };
  const text = canonicalJsonText(body);
  return toTaskInsertRow(
    {
      queue: target.queue,
      path: target.path,
      method: 'POST',
      headers: {},
      body: Buffer.from(text, 'utf8'),
      bodyText: text,
      contentType: 'application/json',
      runAt: now,
      maxAttempts: null,
      timeoutMs: null,
      key: null,
      // The callback continues the task's trace.
      traceparent: task.traceparent,
      callbackOf: task.id,
    },
    now,
    uuidv7(now.getTime()),
  );
}
