import { SqlParams, type SqlStatement } from '../../sql-session.js';
import { cancelBatchParts, type CancelBatchRequest } from '../../task-cancel.sql.js';
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
