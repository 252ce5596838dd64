import { SqlParams, type SqlStatement } from '../../sql-session.js';
import {
  cancelBatchParts,
  cancelRunningUpdate,
  type CancelBatchRequest,
  type CancelRunningRequest,
} from '../../task-cancel.sql.js';
import { TASK_COLUMNS } from '../../task-row.js';
import { filterClauses } from '../../task-filter.sql.js';
import { SQLITE_CLAUSES } from './task-search.sql.js';

/**
 * One batch of a bulk cancel (task-cancel.sql.ts) as one UPDATE of the lowest matching ids after
 * `afterId`. Placeholders in text order: SQLite's `?` is positional.
 */
export function buildCancelBatch(request: CancelBatchRequest): SqlStatement | null {
  const p = new SqlParams(() => '?');
  const parts = cancelBatchParts(request, p);
  if (!parts) return null;
  const where = filterClauses({ ...request.filter, state: undefined, states: parts.states }, p, SQLITE_CLAUSES);
  if (request.afterId !== undefined) where.push(`t.id > ${p.add(request.afterId)}`);
  const text = `update dispatchr_task set ${parts.sets}
    where id in (select id from dispatchr_task t where ${where.join(' and ')} order by id limit ${p.add(request.limit)})
      and state in (${parts.cancellable})
    returning id, queue, id as last`;
  return { text, values: p.values };
}

/** The cancel of a running task (task-cancel.sql.ts); its holder finds it by polling (no NOTIFY here). */
export function buildCancelRunning(request: CancelRunningRequest): SqlStatement {
  const p = new SqlParams(() => '?');
  const update = cancelRunningUpdate(request, p);
  return { text: `${update} returning ${TASK_COLUMNS}`, values: p.values };
}
