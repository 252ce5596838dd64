import { TASK_STATES, type TaskState } from '../task.js';
import { filterClauses, type TaskFilter } from './task-filter.sql.js';
import { SqlParams, TASK_COLUMNS } from './task-row.js';

/**
 * PostgreSQL searches tasks one (queue, state) pair at a time. Its only listing index is
 * `(queue, state, id desc) where state <> 'running'` (migration 0006: a claim adds no entry to it,
 * and no index by queue alone or by state alone costs every claim and settle one more). A search
 * by queue alone, by state alone or by neither becomes one ordered index scan per pair, each
 * stopped at the page's limit, merged by the outer ORDER BY: at most `limit` rows read per pair
 * however many tasks have finished. Running rows come through `dispatchr_task_running_idx`, at
 * most the queues' concurrency of them.
 *
 * SQLite keeps its indexes by queue and by state and the plain WHERE (it has no LATERAL).
 */

/**
 * `with recursive … pairs(q, s)`: the filter's queues (or every queue with a task in the listing
 * index, found by skipping through it one queue at a time) crossed with its states other than
 * running (by default all of `states`). And the clause that picks the running tasks it covers.
 */
function searchPairs(filter: TaskFilter, p: SqlParams, states: readonly TaskState[]): { cte: string; running: string } {
  const queues = filter.queue !== undefined ? [filter.queue] : filter.queues;
  const wanted = filter.state !== undefined ? [filter.state] : (filter.states ?? states);
  const picked = states.filter((state) => wanted.includes(state));
  const settled = picked.filter((state) => state !== 'running');
  const queueParam = queues ? p.add(queues) : '';
  const queueList = queues
    ? `queues(q) as (select unnest(${queueParam}::text[]))`
    : `listed(q) as (
        select min(queue) from dispatchr_task where state <> 'running'
        union all
        select (select min(queue) from dispatchr_task where state <> 'running' and queue > listed.q) from listed where listed.q is not null
      ), queues(q) as (select q from listed where q is not null)`;
  const running = !picked.includes('running') ? 'false' : queues ? `t.queue = any(${queueParam}::text[])` : 'true';
  return {
    cte: `with recursive ${queueList},
    pairs(q, s) as (select q, s from queues cross join unnest(${p.add(settled)}::text[]) as s)`,
    running,
  };
}

/**
 * The union of one scan per pair, each a LATERAL subquery on the task alias `t` selecting `inner`,
 * filtered by the pair and every other clause of the filter (times, path prefix, search) and ended
 * by `tail` (its ORDER BY and LIMIT), and of the running tasks it covers; the union selects `outer`.
 * The `t.state <> 'running'` is what lets the planner use the partial listing index: a state read
 * from `pairs` could be any. The running rows are read whole through their own index and ordered
 * after (`offset 0` keeps the ORDER BY out: the planner would otherwise walk the primary key
 * backwards hoping to meet running rows soon, and read the table when a queue has none).
 */
function scans(filter: TaskFilter, p: SqlParams, states: readonly TaskState[], extra: string[], shape: { inner: string; outer: string; tail: string }): string {
  const { cte, running } = searchPairs(filter, p, states);
  const rest = [...filterClauses({ ...filter, queue: undefined, queues: undefined, state: undefined, states: undefined }, p, 'postgresql'), ...extra];
  const where = (clauses: string[]) => [...clauses, ...rest].join(' and ');
  return `${cte}
    select ${shape.outer} from pairs cross join lateral (
      select ${shape.inner} from dispatchr_task t where ${where(["t.state <> 'running'", 't.queue = pairs.q', 't.state = pairs.s'])} ${shape.tail}) t
    union all
    (select ${shape.outer} from (
      select ${shape.inner} from dispatchr_task t where ${where(["t.state = 'running'", running])} offset 0) t
    ${shape.tail})`;
}

/**
 * PostgreSQL: the ids of up to `limit` tasks in `states` that match the filter and `extra`
 * (clauses on the alias `t`), lowest id first. The bulk retry's batch.
 */
export function buildIdBatch(filter: TaskFilter, p: SqlParams, states: readonly TaskState[], extra: string[], limit: number): string {
  const n = p.add(limit);
  return `select id from (${scans(filter, p, states, extra, { inner: 't.id', outer: 't.id', tail: `order by t.id limit ${n}` })}) batch order by id limit ${n}`;
}

export interface ListQuery extends TaskFilter {
  limit: number;
  /** Keyset pagination: only ids below this one (the previous page's last). */
  beforeId?: string;
}

/** A page of tasks, newest first, `limit` rows at most. */
export function buildListQuery(dialect: 'postgresql' | 'sqlite', query: ListQuery): { text: string; values: unknown[] } {
  const p = new SqlParams(dialect);
  if (dialect === 'sqlite') {
    const where = filterClauses(query, p, dialect);
    if (query.beforeId !== undefined) where.push(`id < ${p.add(query.beforeId)}`);
    const text = `select ${TASK_COLUMNS} from dispatchr_task ${where.length ? `where ${where.join(' and ')}` : ''} order by id desc limit ${p.add(query.limit)}`;
    return { text, values: p.values };
  }
  const extra = query.beforeId === undefined ? [] : [`t.id < ${p.add(query.beforeId)}`];
  const limit = p.add(query.limit);
  const union = scans(query, p, TASK_STATES, extra, { inner: TASK_COLUMNS, outer: TASK_COLUMNS, tail: `order by t.id desc limit ${limit}` });
  const text = `select ${TASK_COLUMNS} from (${union}) page order by id desc limit ${limit}`;
  return { text, values: p.values };
}

/** How many tasks match the filter. */
export function buildCountQuery(dialect: 'postgresql' | 'sqlite', filter: TaskFilter): { text: string; values: unknown[] } {
  const p = new SqlParams(dialect);
  if (dialect === 'sqlite') {
    const where = filterClauses(filter, p, dialect);
    return { text: `select count(*) as n from dispatchr_task ${where.length ? `where ${where.join(' and ')}` : ''}`, values: p.values };
  }
  const union = scans(filter, p, TASK_STATES, [], { inner: 'count(*) as n', outer: 'n', tail: '' });
  const text = `select coalesce(sum(n), 0) as n from (${union}) counts`;
  return { text, values: p.values };
}
