import { TASK_STATES, type TaskState } from '../../../task.js';
import type { ListQuery } from '../../driver.js';
import { SqlParams, type SqlStatement } from '../../sql-session.js';
import {
  filterClauses,
  keysetClauses,
  listedColumns,
  namedQueues,
  namedStates,
  pickStates,
  sensitiveName,
  whereSql,
  type DriverClauses,
  type TaskFilter,
} from '../../task-filter.sql.js';

const placeholder = (n: number) => `$${n}`;
const params = () => new SqlParams(placeholder);

/** PostgreSQL's clauses of a task filter. */
export const POSTGRES_CLAUSES: DriverClauses = {
  stateClause: (states, p) => `state in (${states.map((s) => p.add(s)).join(', ')})`,
  // jsonb text for JSON bodies (unicode intact), the raw bytes for the rest (and for JSON as
  // written, spacing included); header names and non-sensitive values through jsonb_each_text.
  searchClause(pattern, p) {
    const needle = p.add(pattern);
    return `(body_json::text ilike ${needle} or encode(body, 'escape') ilike ${needle}
          or exists (select 1 from jsonb_each_text(headers) h
                     where h.key ilike ${needle} or (not ${sensitiveName('h.key')} and h.value ilike ${needle})))`;
  },
  idsClause: (ids, p) => `id = any(${p.add([...ids])}::uuid[])`,
};

/**
 * PostgreSQL searches tasks narrowed by queue or by state one (queue, state) pair at a time. Its
 * only listing index is `(queue, state, id desc) where state <> 'running'` (migration 0006: a
 * claim adds no entry to it, and no index by queue alone or by state alone costs every claim and
 * settle one more). Each pair is one ordered scan of that index, stopped at the page's limit, and
 * the pairs are merged: a page of a queue or of a state reads at most a page per pair, however
 * many tasks have finished (a clause the index cannot serve, such as a time range or a search,
 * reads the pair until a page matches, as the dropped per-queue and per-state indexes did).
 * Running rows, at most the queues' concurrency, come through `dispatchr_task_running_idx`.
 * A search narrowed by neither is the plain WHERE: the primary key, newest first, serves it.

 */

/**
 * Whether a search walks pairs (PostgreSQL): it names queues or states, and not ids. Named ids (at
 * most 1,000) are looked up through the primary key, and the other clauses filter those rows: a
 * walk of every pair would read index entries until it met them.
 */
function walksPairs(filter: TaskFilter): boolean {
  return filter.ids === undefined && (namedQueues(filter) !== undefined || namedStates(filter) !== undefined);
}

/**
 * `with recursive … pairs(q, s)`: the filter's queues (or every queue with a task in the listing
 * index, found by skipping through it one queue at a time) crossed with its states other than
 * running (by default all of `states`). And the clause that picks the running tasks it covers.
 */
function searchPairs(
  filter: TaskFilter,
  p: SqlParams,
  states: readonly TaskState[],
): { ctes: string; running: string } {
  const named = namedQueues(filter);
  const queues = named ? [...new Set(named)] : undefined; // a queue named twice is searched once
  const picked = pickStates(filter, states);
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
    ctes: `${queueList},
    pairs(q, s) as (select q, s from queues cross join unnest(${p.add(settled)}::text[]) as s)`,
    running,
  };
}

/**
 * The CTEs and the union of one scan per pair, each a LATERAL subquery on the task alias `t`
 * selecting `t.id`, filtered by the pair and every other clause of the filter (times, path prefix,
 * search) and `extra`, ended by `tail` (its ORDER BY and LIMIT); and of the running tasks it
 * covers. Only ids: a pair's scan is then an index-only scan, and the rows of the page alone are
 * read. The `t.state <> 'running'` is what lets the planner use the partial listing index: a state
 * read from `pairs` could be any. The running rows are read whole through their own index and
 * ordered after (`offset 0` keeps the ORDER BY out: the planner would otherwise walk the primary
 * key backwards hoping to meet running rows soon, and read the table when a queue has none).
 */
function pairScans(
  filter: TaskFilter,
  p: SqlParams,
  states: readonly TaskState[],
  extra: string[],
  tail: string,
): { ctes: string; ids: string } {
  const { ctes, running } = searchPairs(filter, p, states);
  const rest = [
    ...filterClauses(
      { ...filter, queue: undefined, queues: undefined, state: undefined, states: undefined },
      p,
      POSTGRES_CLAUSES,
    ),
    ...extra,
  ];
  const where = (clauses: string[]) => [...clauses, ...rest].join(' and ');
  return {
    ctes,
    ids: `select t.id from pairs cross join lateral (
      select t.id from dispatchr_task t where ${where(["t.state <> 'running'", 't.queue = pairs.q', 't.state = pairs.s'])} ${tail}) t
    union all
    (select t.id from (select t.id from dispatchr_task t where ${where(["t.state = 'running'", running])} offset 0) t ${tail})`,
  };
}

/**
 * PostgreSQL: `candidates(id)`, the lowest `limit` ids of tasks in `states` that match the filter
 * and `extra` (clauses on the alias `t`), as CTEs to prefix a statement with. A bulk action's
 * batch (retry, cancel): the retry's dedup check runs on these rows only, not on a page of every
 * pair. Named ids are read through the primary key instead (see walksPairs).
 */
export function candidateIds(
  filter: TaskFilter,
  p: SqlParams,
  states: readonly TaskState[],
  extra: string[],
  limit: number,
): string {
  const n = p.add(limit);
  if (filter.ids !== undefined) {
    const where = [...filterClauses({ ...filter, state: undefined, states }, p, POSTGRES_CLAUSES), ...extra];
    return `with candidates(id) as (select t.id from dispatchr_task t ${whereSql(where)} order by t.id limit ${n})`;
  }
  const { ctes, ids } = pairScans(filter, p, states, extra, `order by t.id limit ${n}`);
  return `with recursive ${ctes},
    candidates(id) as (select id from (${ids}) batch order by id limit ${n})`;
}

/** The listed columns: octet_length reads a TOASTed bytea's size without fetching it. */
export const LISTED_COLUMNS = listedColumns('octet_length(body)');

/** A page of tasks, newest first, `limit` rows at most, with `columns` (default the listed ones). */
export function buildListQuery(query: ListQuery & { columns?: string }): SqlStatement {
  const p = params();
  const columns = query.columns ?? LISTED_COLUMNS;
  if (!walksPairs(query)) {
    const where = [...filterClauses(query, p, POSTGRES_CLAUSES), ...keysetClauses(query, p)];
    const text = `select ${columns} from dispatchr_task ${whereSql(where)} order by id desc limit ${p.add(query.limit)}`;
    return { text, values: p.values };
  }
  const extra = keysetClauses(query, p, 't.');
  const limit = p.add(query.limit);
  const { ctes, ids } = pairScans(query, p, TASK_STATES, extra, `order by t.id desc limit ${limit}`);
  // Ids alone need no row: the pairs' index-only scans answer them.
  const text =
    columns === 'id'
      ? `with recursive ${ctes} select id from (${ids}) page order by id desc limit ${limit}`
      : `with recursive ${ctes}
    select ${columns} from dispatchr_task where id = any(array(select id from (${ids}) page order by id desc limit ${limit}))
    order by id desc`;
  return { text, values: p.values };
}

/** How many tasks match the filter. */
export function buildCountQuery(filter: TaskFilter): SqlStatement {
  const p = params();
  if (!walksPairs(filter)) {
    return {
      text: `select count(*) as n from dispatchr_task ${whereSql(filterClauses(filter, p, POSTGRES_CLAUSES))}`,
      values: p.values,
    };
  }
  // `offset 0` keeps each pair its own index scan: flattened, the planner cannot size the pairs
  // (their states are a parameter) and hash-joins them with a scan of the table.
  const { ctes, ids } = pairScans(filter, p, TASK_STATES, [], 'offset 0');
  return { text: `with recursive ${ctes} select count(*) as n from (${ids}) matched`, values: p.values };
}
