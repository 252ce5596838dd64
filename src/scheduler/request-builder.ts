import type { QueueConfig } from '../config/schema.js';
import type { TaskRecord } from '../task.js';
import { effectiveTimeoutMs } from '../rules/task-limits.js';
import type { DispatchRequest } from '../workers/protocol.js';
import { keepBytesFor } from './callbacks.js';
import { targetUrlOf } from './target-url-cache.js';

/**
 * A claimed task → the plain request a worker sends. The URL is joined from the queue's base again
 * here (not trusted from storage), so a target is only ever inside its queue's configured base.
 */
export type BuiltRequest = { ok: true; request: DispatchRequest } | { ok: false; reason: string };

export function buildDispatchRequest(task: TaskRecord, queue: QueueConfig, leaseMs: number): BuiltRequest {
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
      // The task's own timeout (else the queue's), clamped to the queue's cap and below the lease:
      // the recorder refuses more, but a writer that could not see the config may have stored it.
      timeoutMs: effectiveTimeoutMs(task.timeoutMs, queue, leaseMs),
      allowPrivateNetwork: queue.allowPrivateNetwork,
      signingSecrets: signingSecretsOf(queue),
      scheduledAt: task.runAt.toISOString(),
      // The status of the attempt just before this one: the settle stores null for an attempt that
      // got none (timeout, network error, interruption, rescue), so an older status is never repeated.
      previousStatus: task.attempt > 1 ? task.lastStatus : null,
      traceparent: task.traceparent,
      cron: task.cron,
      cronFireAt: task.cronFireAt === null ? null : task.cronFireAt.toISOString(),
      // The stored result's bytes (docs/spec.md 11.4); 0, only the excerpt, for most tasks.
      keepBytes: keepBytesFor(task, queue),
    },
  };
}

/** `signingSecrets: [new, old]` during rotation; else the single `signingSecret`. */
export function signingSecretsOf(queue: QueueConfig): string[] {
  if (queue.signingSecrets && queue.signingSecrets.length > 0) return queue.signingSecrets;
  return queue.signingSecret ? [queue.signingSecret] : [];
}
