import type { TaskState } from '../../../task.js';
import type { ListQuery } from '../../driver.js';
import { SqlParams, type SqlStatement } from '../../sql-session.js';
import {
  filterClauses,
  keysetClauses,
  listedColumns,
  namedStates,
  sensitiveName,
  whereSql,
  type DriverClauses,
  type TaskFilter,
} from '../../task-filter.sql.js';

/**
 * SQLite searches through its index by queue, or the primary key, newest first (it has no LATERAL
 * to walk (queue, state) pairs). Its indexes by state leave running rows out (migration 0007), so
 * a search for running tasks among others is two branches: the settled states through those
 * indexes, the running ones through `dispatchr_task_running_idx` (see branches). Placeholders are
 * `?`, positional: every statement adds its values in text order.
 */
const params = () => new SqlParams(() => '?');

/** SQLite's clauses of a task filter. */
export const SQLITE_CLAUSES: DriverClauses = {
  /**
   * Its planner uses a partial index only when the query repeats the index's WHERE term: so settled
   * states are asked for with `state <> 'running'`, running ones with `state = 'running'` (the
   * running index's own term), and both as an OR of the two.
   */
  stateClause(states, p) {
    const settled = states.filter((state) => state !== 'running');
    const listed = () => `state in (${settled.map((s) => p.add(s)).join(', ')})`;
    if (settled.length === 0) return `state = 'running'`;
    if (settled.length === states.length) return `state <> 'running' and ${listed()}`;
    return `(state = 'running' or (state <> 'running' and ${listed()}))`;
  },
  // SQLite's LIKE is case-insensitive for ASCII; headers are JSON text, read with json_each.
  searchClause(pattern, p) {
    const needle = () => `${p.add(pattern)} escape '\\'`;
    return `(cast(body as text) like ${needle()}
          or exists (select 1 from json_each(headers) h
                     where h.key like ${needle()} or (not ${sensitiveName('h.key')} and h.value like ${needle()})))`;
  },
  // The ids as one JSON text (one statement text whatever their number), each looked up by index.
  idsClause: (ids, p) => `id in (select value from json_each(${p.add(JSON.stringify(ids))}))`,
};

/** The listed columns: length() reads a blob's size without loading it. */
export const LISTED_COLUMNS = listedColumns('length(body)');

/**
 * SQLite: a search naming the running state among others, split in two: its settled states, and
 * its running state read through `dispatchr_task_running_idx` by name (left to itself the planner
 * walks the primary key to avoid a sort, through every finished task). Each is a filter and the
 * index it is read through; a search that does not name running is one branch, as it was.
 */
function branches(filter: TaskFilter): { filter: TaskFilter; from: string }[] {
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

/** A page of tasks, newest first, `limit` rows at most, with `columns` (default the listed ones). */
export function buildListQuery(query: ListQuery & { columns?: string }): SqlStatement {
  const p = params();
  const columns = query.columns ?? LISTED_COLUMNS;
  // Each branch is written whole in turn: placeholders in text order.
  const parts = branches(query);
  const page = (columns: string, { filter, from }: (typeof parts)[number]) => {
    const where = [...filterClauses(filter, p, SQLITE_CLAUSES), ...keysetClauses(query, p)];
    return `select ${columns} from ${from} ${whereSql(where)} order by id desc limit ${p.add(query.limit)}`;
  };
  if (parts.length === 1) return { text: page(columns, parts[0]), values: p.values };
  const ids = parts.map((branch) => `select * from (${page('id', branch)})`).join(' union all ');
  const text = `select ${columns} from dispatchr_task where id in (${ids} order by id desc limit ${p.add(query.limit)}) order by id desc`;
  return { text, values: p.values };
}

/** How many tasks match the filter: a count per branch, added. */
export function buildCountQuery(filter: TaskFilter): SqlStatement {
  const p = params();
  const counts = branches(filter).map(
    ({ filter: branch, from }) =>
      `select count(*) as n from ${from} ${whereSql(filterClauses(branch, p, SQLITE_CLAUSES))}`,
  );
  return {
    text: counts.length === 1 ? counts[0] : `select ${counts.map((count) => `(${count})`).join(' + ')} as n`,
    values: p.values,
  };
}
