import type { QueueResource } from '../recorder/schemas/resource.schema.js';
import { renderTable } from './table.js';

/** `queues list` in a terminal: counts per state, oldest due age, paused, limits and the rate in force. */
export function formatAge(seconds: number): string {
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 172_800) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86_400)}d`;
}

const rate = (perSecond: number) => `${Number.isInteger(perSecond) ? perSecond : perSecond.toFixed(2)}/s`;

export function formatRateLimit(queue: QueueResource): string {
  if (queue.rateLimit === null) return 'none';
  const { perSecond, burst } = queue.rateLimit;
  return burst === null ? rate(perSecond) : `${rate(perSecond)} burst ${burst}`;
}

/** "unknown" when no live scheduler has written a rate for the queue with its heartbeat (spec 4.10). */
export function formatCurrentRate(queue: QueueResource): string {
  if (queue.currentRate === null) return 'unknown';
  return queue.currentRate.perSecond === null ? 'unlimited' : rate(queue.currentRate.perSecond);
}

export function formatQueues(queues: readonly QueueResource[]): string {
  if (queues.length === 0) return 'no queues are configured';
  return renderTable(
    [
      { header: 'QUEUE', value: (q) => q.name },
      { header: 'PAUSED', value: (q) => (q.paused ? 'yes' : 'no') },
      { header: 'SCHEDULED', value: (q) => q.counts.scheduled ?? 0, align: 'right' },
      { header: 'AVAILABLE', value: (q) => q.counts.available ?? 0, align: 'right' },
      { header: 'RUNNING', value: (q) => q.counts.running ?? 0, align: 'right' },
      { header: 'RETRYABLE', value: (q) => q.counts.retryable ?? 0, align: 'right' },
      { header: 'COMPLETED', value: (q) => q.counts.completed ?? 0, align: 'right' },
      { header: 'FAILED', value: (q) => q.counts.failed ?? 0, align: 'right' },
      { header: 'CANCELLED', value: (q) => q.counts.cancelled ?? 0, align: 'right' },
      { header: 'OLDEST DUE', value: (q) => formatAge(q.oldestDueAgeSeconds), align: 'right' },
      { header: 'MAX CONCURRENT', value: (q) => q.maxConcurrent, align: 'right' },
      { header: 'RATE LIMIT', value: formatRateLimit },
      { header: 'CURRENT RATE', value: formatCurrentRate },
    ],
    queues,
  );
}

export function waitingCount(queue: QueueResource): number {
  return (queue.counts.scheduled ?? 0) + (queue.counts.available ?? 0) + (queue.counts.retryable ?? 0);
}
