import type { QueueConfig } from '../config/schema.js';
import type { TaskRecord } from '../task.js';
import type { DispatchRequest } from '../workers/protocol.js';
import { targetUrlOf } from './target-url-cache.js';

/**
 * A claimed task → the plain request a worker sends. The URL is joined from the queue's base again
 * here (not trusted from storage), so a target is only ever inside its queue's configured base.
 */
export type BuiltRequest = { ok: true; request: DispatchRequest } | { ok: false; reason: string };

export function buildDispatchRequest(task: TaskRecord, queue: QueueConfig): BuiltRequest {
  const url = targetUrlOf(queue.target, task.path);
  if (!url.ok) return url; // the refusal, with its reason
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
