import type { FailedTaskRow, TaskReports } from '../db/task-reports.repository.js';
import {
  FAILURE_ERROR_CHARS,
  FAILURE_GROUP_IDS,
  FAILURE_SCAN_LIMIT,
  type FailureGroupsResponse,
} from './schemas/dashboard.schema.js';

/**
 * The dead-letter view (GET /v1/failures): the most recently failed tasks, at most
 * FAILURE_SCAN_LIMIT, grouped by queue, last status and the start of the last error, so a person
 * sees "400 tasks of emails failed with 503" rather than 400 rows. Bounded: a fixed number of short
 * rows, read newest first through an index of failed tasks (per queue when the read names queues),
 * stopped after recorder.readTimeout; `complete` says whether older failures were left out.
 */
export async function describeFailures(
  reports: Pick<TaskReports, 'recentFailures'>,
  queues: readonly string[] | undefined,
  timeoutMs: number,
): Promise<FailureGroupsResponse> {
  const rows = await reports.recentFailures({
    queues,
    limit: FAILURE_SCAN_LIMIT + 1,
    errorChars: FAILURE_ERROR_CHARS,
    timeoutMs,
  });
  const scanned = rows.slice(0, FAILURE_SCAN_LIMIT);
  return { groups: groupFailures(scanned), scanned: scanned.length, complete: rows.length <= FAILURE_SCAN_LIMIT };
}

/** Groups rows read newest first: a group's first row is its newest. */
export function groupFailures(rows: readonly FailedTaskRow[]): FailureGroupsResponse['groups'] {
  const groups = new Map<string, { first: FailedTaskRow; count: number; taskIds: string[] }>();
  for (const row of rows) {
    const key = JSON.stringify([row.queue, row.lastStatus, row.lastError]);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { first: row, count: 0, taskIds: [] }));
    group.count++;
    // The ids a retry of the group takes, so it retries exactly what was grouped (the API has no
    // filter on last status or error, and a client matching errors itself could cut them differently).
    if (group.taskIds.length < FAILURE_GROUP_IDS) group.taskIds.push(row.id);
  }
  return [...groups.values()]
    .sort((a, b) => b.count - a.count || b.first.finalizedAt.getTime() - a.first.finalizedAt.getTime())
    .map(({ first, count, taskIds }) => ({
      queue: first.queue,
      lastStatus: first.lastStatus,
      lastError: first.lastError,
      count,
      newestTaskId: first.id,
      newestAt: first.finalizedAt.toISOString(),
      taskIds,
    }));
}
