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
    /** `timeoutMs`: each statement is stopped after this long where the database can (SqlPool.readWithin). */
    activity: (request: ActivityRequest, timeoutMs: number): Promise<ActivityRow[]> =>
      sql.readWithin(timeoutMs, (session) => driver.queries.activity(session, request)),

    /**
     * The `limit` most recently failed tasks of these queues (undefined: every queue), newest first.
     * Every queue: through dispatchr_task_finalized_idx (state, finalized_at). Named queues: one
     * branch per queue through migration 0015's index (queue, finalized_at) of failed tasks, each
     * reading `limit` entries at most, merged, so a rare queue does not walk the others' failures.
     * The error is cut in the database: a page of 10,000 full errors would be megabytes to send
     * and drop.
     */
    async recentFailures(options: {
      queues?: readonly string[];
      limit: number;
      errorChars: number;
      timeoutMs: number;
    }): Promise<FailedTaskRow[]> {
      const { queues, limit, errorChars } = options;
      if (queues !== undefined && queues.length === 0) return [];
      // Placeholders in text order (a driver's may be positional): each branch adds its own.
      const p = new SqlParams(driver.placeholder);
      const columns = () =>
        `id, queue, last_status, substr(last_error, 1, ${p.add(errorChars)}) as last_error, finalized_at`;
      const text =
        queues === undefined
          ? `select ${columns()} from dispatchr_task where state = 'failed' and finalized_at is not null
             order by finalized_at desc limit ${p.add(limit)}`
          : `select * from (${[...new Set(queues)]
              .map(
                (queue) =>
                  `select * from (select ${columns()} from dispatchr_task
                   where state = 'failed' and queue = ${p.add(queue)} and finalized_at is not null
                   order by finalized_at desc limit ${p.add(limit)}) q`,
              )
              .join(' union all ')}) failed order by finalized_at desc limit ${p.add(limit)}`;
      const rows = await sql.readWithin(options.timeoutMs, (session) => session.query(text, p.values));
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
