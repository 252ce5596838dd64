import type { Clock } from '../clock.js';
import { systemClock } from '../clock.js';
import { WAITING_STATES, type TaskRecord, type TaskState } from '../task.js';
import type { Orm } from './orm.js';
import { SqlParams } from './sql-session.js';
import { toDate } from './task-row.js';

/**
 * What a queue holds, rather than one task: counts per state, the oldest due age, the load ahead of
 * a waiting task ("why is it waiting"), and the purge. Part of the task repository's surface
 * (createTaskRepository spreads it in), in its own file because it reads queues, not tasks.
 */
export interface QueueSummary {
  counts: Record<TaskState, number>;
  oldestDueAt: Date | null;
}

const WAITING = WAITING_STATES.map((s) => `'${s}'`).join(',');

export function createQueueReads(db: Orm, clock: Clock = systemClock) {
  const { sql } = db;
  const params = () => new SqlParams(db.driver.placeholder);
  return {
    /** Deletes the queue's waiting tasks; running ones finish normally. */
    async purgeQueue(queue: string): Promise<number> {
      const p = params();
      return sql.execute(
        `delete from dispatchr_task where queue = ${p.add(queue)} and state in (${WAITING})`,
        p.values,
      );
    },

    /**
     * For "why is it waiting": tasks running in the queue, and due tasks that will be claimed
     * first, in the claim's (priority, run_at, id) order (spec 11.1).
     */
    async queueLoad(task: TaskRecord): Promise<{ running: number; dueAhead: number }> {
      const p = params();
      const priority = task.priority ?? 0;
      const rows = await sql.query<{ running: number | string; ahead: number | string }>(
        `select (select count(*) from dispatchr_task where queue = ${p.add(task.queue)} and state = 'running') as running,
                (select count(*) from dispatchr_task where queue = ${p.add(task.queue)} and state in (${WAITING})
                   and run_at <= ${p.add(clock.now())} and (priority < ${p.add(priority)} or (priority = ${p.add(priority)}
                   and (run_at < ${p.add(task.runAt)} or (run_at = ${p.add(task.runAt)} and id < ${p.add(task.id)}))))) as ahead`,
        p.values,
      );
      return { running: Number(rows[0].running), dueAhead: Number(rows[0].ahead) };
    },

    async queueSummaries(queues: readonly string[]): Promise<Map<string, QueueSummary>> {
      const now = clock.now();
      const summaries = new Map<string, QueueSummary>(
        queues.map((queue) => [queue, { counts: emptyCounts(), oldestDueAt: null }]),
      );
      const counts = await sql.query<{ queue: string; state: TaskState; n: number | string }>(QUEUE_STATE_COUNTS);
      for (const row of counts) {
        const summary = summaries.get(row.queue);
        if (summary) summary.counts[row.state] = Number(row.n);
      }
      const p = params();
      const due = await sql.query<{ queue: string; oldest: unknown }>(
        `select queue, min(run_at) as oldest from dispatchr_task where state in (${WAITING}) and run_at <= ${p.add(now)} group by queue`,
        p.values,
      );
      for (const row of due) {
        const summary = summaries.get(row.queue);
        if (summary && row.oldest !== null) summary.oldestDueAt = toDate(row.oldest);
      }
      return summaries;
    },
  };
}

/**
 * Tasks per queue and state, in two halves so each reads an index rather than the table: the
 * listing indexes leave running rows out (migrations 0006 and 0007), the running index holds only
 * them.
 */
export const QUEUE_STATE_COUNTS = `select queue, state, count(*) as n from dispatchr_task where state <> 'running' group by queue, state
  union all
  select queue, 'running', count(*) from dispatchr_task where state = 'running' group by queue`;

export function emptyCounts(): Record<TaskState, number> {
  return { scheduled: 0, available: 0, running: 0, retryable: 0, completed: 0, failed: 0, cancelled: 0 };
}
