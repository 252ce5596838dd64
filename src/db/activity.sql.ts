import type { AttemptOutcome, TaskState } from '../task.js';
import { SqlParams, type Row, type SqlStatement } from './sql-session.js';
import { stateList } from './transition-patch.sql.js';

/**
 * Per-minute activity (GET /v1/activity): per minute and queue, the tasks that finished completed
 * or failed in it (by finalized_at, through dispatchr_task_finalized_idx) and the attempts that
 * ended in it and led to another attempt (by finished_at, through migration 0014's index). Only
 * attempts that do not finish their task are rows of dispatchr_attempt (migration 0005), so the
 * index costs nothing on the path where a task completes at its first attempt.
 *
 * The SQL is every database's but the minute: a driver passes its expression of a time column as
 * the start of its minute, in epoch milliseconds.
 */
export interface ActivityRequest {
  /** Counts from this time on (a minute's start). */
  since: Date;
  /** Only these queues; undefined: every queue. */
  queues?: readonly string[];
}

export interface ActivityRow {
  /** The minute's start, epoch milliseconds. */
  minute: number;
  queue: string;
  completed: number;
  failed: number;
  retried: number;
}

/** The finished states counted, each a column of the answer. */
export const ACTIVITY_STATES = ['completed', 'failed'] as const satisfies readonly TaskState[];

/**
 * Attempts counted as retried: those after which the task waited for another attempt (a failure
 * with budget left, a lease that expired with budget left, an attempt given back). A finished
 * task's final attempt becomes a row when the task is retried by hand; a final `failed` one is
 * then left out, a final `lease-expired` one (whose budget was spent) counts, as the task was
 * retried after it.
 */
export const RETRIED_OUTCOMES = ['retry', 'lease-expired', 'interrupted'] as const satisfies readonly AttemptOutcome[];

export function buildActivityQuery(
  request: ActivityRequest,
  placeholder: (n: number) => string,
  minuteOf: (column: string) => string,
): SqlStatement {
  const p = new SqlParams(placeholder);
  const inQueues = (column: string) =>
    request.queues === undefined
      ? ''
      : request.queues.length === 0
        ? ' and 1 = 0'
        : ` and ${column} in (${request.queues.map((queue) => p.add(queue)).join(', ')})`;
  // Placeholders in text order (SQLite's are positional): each branch adds its own.
  const finished = `select ${minuteOf('finalized_at')} as minute, queue,
      ${ACTIVITY_STATES.map((state) => `sum(case when state = '${state}' then 1 else 0 end) as ${state}`).join(', ')},
      0 as retried
    from dispatchr_task
    where state in (${stateList(ACTIVITY_STATES)}) and finalized_at is not null and finalized_at >= ${p.add(request.since)}${inQueues('queue')}
    group by minute, queue`;
  const retried = `select ${minuteOf('a.finished_at')} as minute, t.queue as queue, 0 as completed, 0 as failed, count(*) as retried
    from dispatchr_attempt a join dispatchr_task t on t.id = a.task_id
    where a.finished_at >= ${p.add(request.since)} and a.outcome in (${RETRIED_OUTCOMES.map((o) => `'${o}'`).join(',')})${inQueues('t.queue')}
    group by minute, t.queue`;
  const text = `select minute, queue, sum(completed) as completed, sum(failed) as failed, sum(retried) as retried
    from (${finished} union all ${retried}) counted
    group by minute, queue order by minute, queue`;
  return { text, values: p.values };
}

export function toActivityRow(row: Row): ActivityRow {
  return {
    minute: Number(row.minute),
    queue: String(row.queue),
    completed: Number(row.completed),
    failed: Number(row.failed),
    retried: Number(row.retried),
  };
}
