import { SqlParams, type SqlStatement } from '../../sql-session.js';
import { filterClauses } from '../../task-filter.sql.js';
import { leaseReleased, retryBatchParts, type RetryBatchRequest } from '../../task-retry.sql.js';
import { SQLITE_CLAUSES } from './task-search.sql.js';

/**
 * One batch of a bulk retry (task-retry.sql.ts) as one UPDATE of the lowest matching ids after
 * `afterId`. Placeholders in text order: SQLite's `?` is positional.
 */
export function buildRetryBatch(request: RetryBatchRequest): SqlStatement | null {
  const p = new SqlParams(() => '?');
  const parts = retryBatchParts(request, p);
  if (!parts) return null;
  const where = filterClauses({ ...request.filter, state: undefined, states: parts.states }, p, SQLITE_CLAUSES);
  if (request.afterId !== undefined) where.push(`t.id > ${p.add(request.afterId)}`);
  where.push(parts.dedup, leaseReleased(request.now, p));
  const text = `update dispatchr_task set ${parts.sets}
    where id in (select id from dispatchr_task t where ${where.join(' and ')} order by id limit ${p.add(request.limit)})
      and state in (${parts.retryable})
    returning id, queue, id as last`;
  return { text, values: p.values };
}
