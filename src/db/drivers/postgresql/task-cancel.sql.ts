import { SqlParams, type SqlStatement } from '../../sql-session.js';
import { CANCEL_CHANNEL } from '../../cancel-channel.js';
import {
  cancelBatchParts,
  cancelRunningUpdate,
  type CancelBatchRequest,
  type CancelRunningRequest,
} from '../../task-cancel.sql.js';
import { TASK_COLUMNS } from '../../task-row.js';
import { candidateIds } from './task-search.sql.js';

/**
 * One batch of a bulk cancel (task-cancel.sql.ts), built like the retry's (task-retry.sql.ts): the
 * candidates come one ordered scan per (queue, state) pair, or through the primary key when the
 * filter names ids. Every answer row carries the last candidate, where the next batch starts even
 * when every candidate changed meanwhile (then one row, with no task).
 */
export function buildCancelBatch(request: CancelBatchRequest): SqlStatement | null {
  const p = new SqlParams((n) => `$${n}`);
  const parts = cancelBatchParts(request, p);
  if (!parts) return null;
  const after = request.afterId === undefined ? [] : [`t.id > ${p.add(request.afterId)}`];
  const text = `${candidateIds(request.filter, p, parts.states, after, request.limit)},
      cancelled as (
        update dispatchr_task t set ${parts.sets}
        where t.id in (select id from candidates) and t.state in (${parts.cancellable})
        returning t.id, t.queue)
      select cancelled.id, cancelled.queue, lc.id as last
      from (select id from candidates order by id desc limit 1) lc left join cancelled on true`;
  return { text, values: p.values };
}

/**
 * The cancel of a running task (task-cancel.sql.ts) with its NOTIFY in the same statement: the
 * holding scheduler hears the task's id when, and only if, the cancel commits.
 */
export function buildCancelRunning(request: CancelRunningRequest): SqlStatement {
  const p = new SqlParams((n) => `$${n}`);
  const update = cancelRunningUpdate(request, p);
  return {
    text: `${update} returning ${TASK_COLUMNS}, pg_notify('${CANCEL_CHANNEL}', id::text) is null as notified`,
    values: p.values,
  };
}
