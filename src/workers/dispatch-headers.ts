import { isReservedHeader } from '../rules/task-headers.js';
import type { DispatchRequest } from './protocol.js';
import { signPayload } from './signing.js';

/**
 * The headers of one attempt: the task's own (minus the reserved ones), Dispatchr's delivery
 * headers and the Standard Webhooks signature, stamped with the second it is sent.
 */
export function buildDispatchHeaders(request: DispatchRequest, timestampSeconds: number): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    const lower = name.toLowerCase();
    // The create-time rule again (hop-by-hop, framing, routing overrides, Dispatchr-* and webhook-*,
    // in either `-` or `_` spelling): a task stored before a rule existed cannot send it either.
    if (isReservedHeader(lower)) continue;
    headers[lower] = value;
  }
  headers['dispatchr-task-id'] = request.taskId;
  headers['dispatchr-queue'] = request.queue;
  headers['dispatchr-attempt'] = String(request.attempt);
  headers['dispatchr-scheduled-at'] = request.scheduledAt;
  if (request.previousStatus !== null) headers['dispatchr-previous-status'] = String(request.previousStatus);
  // Which run of a cron entry this is: the fire time stays the same on every retry, where
  // Dispatchr-Scheduled-At moves with each attempt's due time.
  if (request.cron !== null) headers['dispatchr-cron'] = request.cron;
  if (request.cronFireAt !== null) headers['dispatchr-cron-fire-time'] = request.cronFireAt;
  if (request.traceparent !== null) headers.traceparent = request.traceparent;
  if (request.contentType !== null) headers['content-type'] = request.contentType;
  // webhook-id is the task id, identical on every attempt, so receivers can deduplicate.
  headers['webhook-id'] = request.taskId;
  headers['webhook-timestamp'] = String(timestampSeconds);
  if (request.signingSecrets.length > 0) {
    const signature = signPayload(request.taskId, timestampSeconds, request.body, request.signingSecrets);
    if (signature !== '') headers['webhook-signature'] = signature;
  }
  return headers;
}
