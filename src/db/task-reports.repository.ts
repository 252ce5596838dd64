import type { ActivityRequest, ActivityRow } from './activity.sql.js';
import type { Orm } from './orm.js';
import { SqlParams } from './sql-session.js';
import { toDate } from './task-row.js';

/**
 * Reads that sum up many tasks for the dashboard rather than list them: per-minute activity (the
 * driver's, activity.sql.ts) and the newest failed tasks, which the recorder groups by queue and
 * last status and error (recorder/failure-groups.ts).
 */
export interface FailedTaskRow {
  id: string;
  queue: string;
  lastStatus: number | null;
  /** The first `errorChars` characters of the last error. */
  lastError: string | null;
  finalizedAt: Date;
}

export type TaskReports = ReturnType<typeof createTaskReports>;

export function createTaskReports(db: Orm) {
  const { sql, driver } = db;
  return {
    activity: (request: ActivityRequest): Promise<ActivityRow[]> => driver.queries.activity(sql, request),

    /**
     * The `limit` most recently failed tasks (by finalized_at, through dispatchr_task_finalized_idx,
     * whose WHERE term the statement repeats), of these queues (undefined: every queue). The error
     * is cut in the database: a page of 10,000 full errors would be megabytes to send and drop.
     */
    async recentFailures(options: {
      queues?: readonly string[];
      limit: number;
      errorChars: number;
    }): Promise<FailedTaskRow[]> {
      const p = new SqlParams(driver.placeholder);
      const chars = p.add(options.errorChars);
      const { queues } = options;
      const inQueues =
        queues === undefined
          ? ''
          : queues.length === 0
            ? ' and 1 = 0'
            : ` and queue in (${queues.map((queue) => p.add(queue)).join(', ')})`;
      const rows = await sql.query(
        `select id, queue, last_status, substr(last_error, 1, ${chars}) as last_error, finalized_at from dispatchr_task
         where state = 'failed' and finalized_at is not null${inQueues}
         order by finalized_at desc limit ${p.add(options.limit)}`,
        p.values,
      );
      return rows.map((row) => ({
        id: String(row.id),
        queue: String(row.queue),
        lastStatus: row.last_status === null || row.last_status === undefined ? null : Number(row.last_status),
        lastError: row.last_error === null || row.last_error === undefined ? null : String(row.last_error),
        finalizedAt: toDate(row.finalized_at),
      }));
    },
  };
}
