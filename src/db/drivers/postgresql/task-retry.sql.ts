import { SqlParams, type SqlStatement } from '../../sql-session.js';
import { leaseReleased, retryBatchParts, type RetryBatchRequest } from '../../task-retry.sql.js';
import { candidateIds } from './task-search.sql.js';

/**
 * One batch of a bulk retry (task-retry.sql.ts). The batch's candidates come one ordered scan per
 * (queue, state) pair (task-search.sql.ts); the dedup check, a search of its own per task, runs on
 * the batch's candidates only. Every answer row carries the last candidate, where the next batch
 * starts even when the dedup check skipped them all (then one row, with no task).
 */
export function buildRetryBatch(request: RetryBatchRequest): SqlStatement | null {
  const p = new SqlParams((n) => `$${n}`);
  const parts = retryBatchParts(request, p);
  if (!parts) return null;
  const after = request.afterId === undefined ? [] : [`t.id > ${p.add(request.afterId)}`];
  const text = `${candidateIds(request.filter, p, parts.states, after, request.limit)},
      retried as (
        update dispatchr_task t set ${parts.sets}
        where t.id in (select id from candidates) and t.state in (${parts.retryable}) and ${parts.dedup}
          and ${leaseReleased(request.now, p)}
        returning t.id, t.queue)
      select retried.id, retried.queue, lc.id as last
      from (select id from candidates order by id desc limit 1) lc left join retried on true`;
  return { text, values: p.values };
}
