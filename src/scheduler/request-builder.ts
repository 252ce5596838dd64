import type { QueueConfig } from '../config/schema.js';
import type { TaskRecord } from '../task.js';
import { joinTargetUrl, normalizeTaskPath } from '../rules/target-path.js';
import type { DispatchRequest } from '../workers/protocol.js';

/**
 * A claimed task → the plain request a worker sends. The URL is joined from the queue's base again
 * here (not trusted from storage), so a target is only ever inside its queue's configured base.
 */
export type BuiltRequest = { ok: true; request: DispatchRequest } | { ok: false; reason: string };

export function buildDispatchRequest(task: TaskRecord, queue: QueueConfig): BuiltRequest {
  const url = targetUrlOf(queue.target, task.path);
  if (!url.ok) return { ok: false, reason: url.reason };
  return {
    ok: true,
    request: {
      taskId: task.id,
      queue: task.queue,
      attempt: task.attempt,
      url: url.url,
      method: task.method,
      headers: task.headers,
      body: task.body,
      contentType: task.contentType,
      // A per-task timeout was checked against the lease at create time.
      timeoutMs: task.timeoutMs ?? queue.timeout,
      allowPrivateNetwork: queue.allowPrivateNetwork,
      signingSecrets: signingSecretsOf(queue),
      scheduledAt: task.runAt.toISOString(),
      previousStatus: task.attempt > 1 ? task.lastStatus : null,
      traceparent: task.traceparent,
    },
  };
}

/** `signingSecrets: [new, old]` during rotation; else the single `signingSecret`. */
export function signingSecretsOf(queue: QueueConfig): string[] {
  if (queue.signingSecrets && queue.signingSecrets.length > 0) return queue.signingSecrets;
  return queue.signingSecret ? [queue.signingSecret] : [];
}

type TargetUrl = { ok: true; url: string } | { ok: false; reason: string };

/**
 * The checked, joined URL of a task path under a queue's target, remembered per (target, path):
 * both steps are pure, and a queue's tasks mostly share a few paths, while joining parses the
 * base URL each time. Bounded: cleared when full, like the worker's own URL cache.
 */
const targetUrls = new Map<string, Map<string, TargetUrl>>();
const TARGET_URL_CACHE_SIZE = 1024;

export function targetUrlOf(target: string, path: string): TargetUrl {
  let byPath = targetUrls.get(target);
  if (!byPath) targetUrls.set(target, (byPath = new Map()));
  let url = byPath.get(path);
  if (url) return url;
  // Checked again at dispatch: the row could have been written by another writer (enqueueWithin).
  const checked = normalizeTaskPath(target, path);
  url = checked.ok ? { ok: true, url: joinTargetUrl(target, checked.path) } : { ok: false, reason: `target refused: ${checked.message}` };
  if (byPath.size >= TARGET_URL_CACHE_SIZE) byPath.clear();
  byPath.set(path, url);
  return url;
}
