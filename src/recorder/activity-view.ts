import type { TaskReports } from '../db/task-reports.repository.js';
import type { ActivityResponse } from './schemas/dashboard.schema.js';

/**
 * Per-minute activity (GET /v1/activity) over the last `minutes` minutes, the current one
 * included: the window starts at a whole minute, so every bucket but the current one is complete
 * and a chart polled every few seconds only sees its last point grow.
 */
const MINUTE_MS = 60_000;

export function activityWindowStart(now: Date, minutes: number): Date {
  return new Date(Math.floor(now.getTime() / MINUTE_MS) * MINUTE_MS - (minutes - 1) * MINUTE_MS);
}

export async function describeActivity(
  reports: Pick<TaskReports, 'activity'>,
  options: { now: Date; minutes: number; queues: readonly string[] | undefined; timeoutMs: number },
): Promise<ActivityResponse> {
  const since = activityWindowStart(options.now, options.minutes);
  const rows = await reports.activity({ since, queues: options.queues }, options.timeoutMs);
  return {
    since: since.toISOString(),
    minutes: rows.map((row) => ({
      minute: new Date(row.minute).toISOString(),
      queue: row.queue,
      completed: row.completed,
      failed: row.failed,
      retried: row.retried,
    })),
  };
}
