import { TASK_STATES, type TaskState } from '../task.js';
import { filterClauses, namedQueues, namedStates, pickStates, type TaskFilter } from './task-filter.sql.js';
import { SqlParams, TASK_COLUMNS } from './task-row.js';

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
 *
 * SQLite keeps its index by queue and the plain WHERE (it has no LATERAL). Its indexes by state
 * leave running rows out too (migration 0007), so a search for running tasks among others is two
 * branches: the settled states through those indexes, the running ones through
 * `dispatchr_task_running_idx` (see sqliteBranches).
 */

/** Whether a search walks pairs (PostgreSQL): it names queues or states. */
function walksPairs(filter: TaskFilter): boolean {
  return namedQueues(filter) !== undefined || namedStates(filter) !== undefined;
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
      'postgresql',
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
 * and `extra` (clauses on the alias `t`), as CTEs to prefix a statement with. The bulk retry's
 * batch: its dedup check runs on these rows only, not on a page of every pair.
 */
export function candidateIds(
  filter: TaskFilter,
  p: SqlParams,
  states: readonly TaskState[],
  extra: string[],
  limit: number,
): string {
  const n = p.add(limit);
  const { ctes, ids } = pairScans(filter, p, states, extra, `order by t.id limit ${n}`);
  return `with recursive ${ctes},
    candidates(id) as (select id from (${ids}) batch order by id limit ${n})`;
}

function whereSql(clauses: string[]): string {
  return clauses.length ? `where ${clauses.join(' and ')}` : '';
}

export interface ListQuery extends TaskFilter {
  limit: number;
  /** Keyset pagination: only ids below this one (the previous page's last). */
  beforeId?: string;
  /** The scan window's end (see buildScanFloorQuery): only ids at or above this one. */
  floorId?: string;
  /** What to select; default every task column. */
  columns?: string;
}

/**
 * The task columns without the body, and the body's size as `body_bytes` instead: what a list reads
 * (task.repository.ts's ListedTask). Sizes come from the value's header: PostgreSQL's octet_length
 * reads a TOASTed bytea's size without fetching it, SQLite's length() a blob's without loading it.
 */
export function listedColumns(dialect: 'postgresql' | 'sqlite'): string {
  const size = dialect === 'postgresql' ? 'octet_length(body)' : 'length(body)';
  return TASK_COLUMNS.split(', ')
    .map((column) => (column === 'body' ? `${size} as body_bytes` : column))
    .join(', ');
}

/**
 * Whether a filter has clauses no index serves (times, path prefix, text): such a search reads
 * tasks that it then throws away, as many as the table holds, unless its scan is bounded. Queue and
 * state are served by the listing indexes: every task they select is a match.
 */
export function needsScanBound(filter: TaskFilter): boolean {
  return (
    filter.since !== undefined ||
    filter.until !== undefined ||
    filter.pathPrefix !== undefined ||
    (filter.search !== undefined && filter.search !== '')
  );
}

/** The filter's indexed part: queue and state. */
function indexedPart(filter: TaskFilter): TaskFilter {
  return { queue: filter.queue, queues: filter.queues, state: filter.state, states: filter.states };
}

/** Keyset clauses: below the cursor, at or above the scan window's end. */
function keysetClauses(query: { beforeId?: string; floorId?: string }, p: SqlParams, alias = ''): string[] {
  const clauses: string[] = [];
  if (query.beforeId !== undefined) clauses.push(`${alias}id < ${p.add(query.beforeId)}`);
  if (query.floorId !== undefined) clauses.push(`${alias}id >= ${p.add(query.floorId)}`);
  return clauses;
}

/**
 * SQLite: a search naming the running state among others, split in two: its settled states, and
 * its running state read through `dispatchr_task_running_idx` by name (left to itself the planner
 * walks the primary key to avoid a sort, through every finished task). Each is a filter and the
 * index it is read through; a search that does not name running is one branch, as it was.
 */
function sqliteBranches(filter: TaskFilter): { filter: TaskFilter; from: string }[] {
  const named = namedStates(filter);
  if (!named?.includes('running')) return [{ filter, from: 'dispatchr_task' }];
  const settled = named.filter((state) => state !== 'running');
  const running = {
    filter: { ...filter, state: undefined, states: ['running'] as TaskState[] },
    from: 'dispatchr_task indexed by dispatchr_task_running_idx',
  };
  return settled.length
    ? [{ filter: { ...filter, state: undefined, states: settled }, from: 'dispatchr_task' }, running]
    : [running];
}

/** A page of tasks, newest first, `limit` rows at most. */
export function buildListQuery(
  dialect: 'postgresql' | 'sqlite',
  query: ListQuery,
): { text: string; values: unknown[] } {
  const p = new SqlParams(dialect);
  const columns = query.columns ?? TASK_COLUMNS;
  if (dialect === 'sqlite') {
    // Placeholders in text order: SQLite's `?` is positional, so each branch is written whole in turn.
    const branches = sqliteBranches(query);
    const page = (columns: string, { filter, from }: (typeof branches)[number]) => {
      const where = [...filterClauses(filter, p, dialect), ...keysetClauses(query, p)];
      return `select ${columns} from ${from} ${whereSql(where)} order by id desc limit ${p.add(query.limit)}`;
    };
    if (branches.length === 1) return { text: page(columns, branches[0]), values: p.values };
    const ids = branches.map((branch) => `select * from (${page('id', branch)})`).join(' union all ');
    const text = `select ${columns} from dispatchr_task where id in (${ids} order by id desc limit ${p.add(query.limit)}) order by id desc`;
    return { text, values: p.values };
  }
  if (!walksPairs(query)) {
    const where = [...filterClauses(query, p, dialect), ...keysetClauses(query, p)];
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

/**
 * The end of a bounded scan's window: the id of the `rows`-th task below `beforeId`, newest first,
 * among those the filter's queue and state select (its other clauses left out: they are what the
 * window bounds). No row when fewer remain: the scan reaches the end of the table. Reads `rows`
 * index entries at most (per queue and state on PostgreSQL), and no table rows.
 */
export function buildScanFloorQuery(
  dialect: 'postgresql' | 'sqlite',
  filter: TaskFilter,
  beforeId: string | undefined,
  rows: number,
): { text: string; values: unknown[] } {
  const indexed = indexedPart(filter);
  const ids = buildListQuery(dialect, { ...indexed, beforeId, limit: rows, columns: 'id' });
  const p = new SqlParams(dialect);
  p.values.push(...ids.values);
  return {
    text: `select id from (${ids.text}) scanned order by id desc limit 1 offset ${p.add(rows - 1)}`,
    values: p.values,
  };
}

/** How many tasks match the filter. */
export function buildCountQuery(
  dialect: 'postgresql' | 'sqlite',
  filter: TaskFilter,
): { text: string; values: unknown[] } {
  const p = new SqlParams(dialect);
  if (dialect === 'sqlite') {
    const counts = sqliteBranches(filter).map(
      ({ filter: branch, from }) => `select count(*) as n from ${from} ${whereSql(filterClauses(branch, p, dialect))}`,
    );
    return {
      text: counts.length === 1 ? counts[0] : `select ${counts.map((count) => `(${count})`).join(' + ')} as n`,
      values: p.values,
    };
  }
  if (!walksPairs(filter)) {
    return {
      text: `select count(*) as n from dispatchr_task ${whereSql(filterClauses(filter, p, dialect))}`,
      values: p.values,
    };
  }
  // `offset 0` keeps each pair its own index scan: flattened, the planner cannot size the pairs
  // (their states are a parameter) and hash-joins them with a scan of the table.
  const { ctes, ids } = pairScans(filter, p, TASK_STATES, [], 'offset 0');
  return { text: `with recursive ${ctes} select count(*) as n from (${ids}) matched`, values: p.values };
}
