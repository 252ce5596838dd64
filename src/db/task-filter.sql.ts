import type { TaskState } from '../task.js';
import type { SqlParams } from './sql-session.js';
import { TASK_COLUMNS } from './task-row.js';
import { SENSITIVE_NAME_PARTS } from '../sensitive-names.js';

/**
 * The WHERE clauses of every task search (list, count, bulk retry and cancel), so the API, the CLI
 * and the bulk actions select exactly the same rows. Everything is filtered by the database. A driver supplies
 * the two clauses whose SQL differs (states, text search) and takes the rest from here.
 */
export interface TaskFilter {
  queue?: string;
  queues?: readonly string[];
  state?: TaskState;
  states?: readonly TaskState[];
  /** On created_at: since inclusive, until exclusive. */
  since?: Date;
  until?: Date;
  pathPrefix?: string;
  /** Case-insensitive substring of the body, a header name, or a header value that is not sensitive. */
  search?: string;
  /** Only these tasks (lowercase UUIDs; the bulk routes take at most 1,000). Empty: none. */
  ids?: readonly string[];
}

/**
 * Sensitive header names, by the one rule the API and the logs use (src/sensitive-names.ts): their
 * values are never searched, or a search would be an oracle that reveals a redacted secret one
 * guessed prefix at a time. The parts are lowercase letters, safe to inline in LIKE patterns.
 */
export function sensitiveName(column: string): string {
  return `(${SENSITIVE_NAME_PARTS.map((part) => `lower(${column}) like '%${part}%'`).join(' or ')})`;
}

/** The queues a filter names (`queue` before `queues`), or undefined: any queue. */
export function namedQueues(filter: TaskFilter): readonly string[] | undefined {
  return filter.queue !== undefined ? [filter.queue] : filter.queues;
}

/** The states a filter names (`state` before `states`), or undefined: any state. */
export function namedStates(filter: TaskFilter): readonly TaskState[] | undefined {
  return filter.state !== undefined ? [filter.state] : filter.states;
}

/** Those of `among` the filter lets through, in the order of `among`. */
export function pickStates(filter: TaskFilter, among: readonly TaskState[]): TaskState[] {
  const named = namedStates(filter);
  return named ? among.filter((state) => named.includes(state)) : [...among];
}

/** The clauses whose SQL is the driver's own. */
export interface DriverClauses {
  /** `state in (…)` for these states (never empty), read through the driver's indexes. */
  stateClause(states: readonly TaskState[], p: SqlParams): string;
  /**
   * A case-insensitive substring of the body, a header name, or a header value whose name is not
   * sensitive (sensitiveName): `pattern` is a LIKE pattern with `\` escaping `\`, `%` and `_`.
   */
  searchClause(pattern: string, p: SqlParams): string;
  /** `id` among these (never empty), as one bound value: the statement text is the same whatever their number. */
  idsClause(ids: readonly string[], p: SqlParams): string;
}

/** Every clause of `filter`, in text order (placeholders may be positional). */
export function filterClauses(filter: TaskFilter, p: SqlParams, driver: DriverClauses): string[] {
  const where: string[] = [];
  if (filter.ids) where.push(filter.ids.length ? driver.idsClause(filter.ids, p) : '1 = 0');
  const queues = namedQueues(filter);
  if (queues) where.push(queues.length ? `queue in (${queues.map((q) => p.add(q)).join(', ')})` : '1 = 0');
  const states = namedStates(filter);
  if (states) where.push(states.length === 0 ? '1 = 0' : driver.stateClause(states, p));
  if (filter.since) where.push(`created_at >= ${p.add(filter.since)}`);
  if (filter.until) where.push(`created_at < ${p.add(filter.until)}`);
  if (filter.pathPrefix !== undefined) {
    where.push(`substr(path, 1, ${p.add(filter.pathPrefix.length)}) = ${p.add(filter.pathPrefix)}`);
  }
  if (filter.search !== undefined && filter.search !== '') {
    where.push(driver.searchClause(`%${filter.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`, p));
  }
  return where;
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

/** The filter's indexed part: queue and state (and ids, which the primary key serves). */
export function indexedPart(filter: TaskFilter): TaskFilter {
  return { queue: filter.queue, queues: filter.queues, state: filter.state, states: filter.states, ids: filter.ids };
}

/** Keyset clauses: below the cursor, at or above the scan window's end. */
export function keysetClauses(query: { beforeId?: string; floorId?: string }, p: SqlParams, alias = ''): string[] {
  const clauses: string[] = [];
  if (query.beforeId !== undefined) clauses.push(`${alias}id < ${p.add(query.beforeId)}`);
  if (query.floorId !== undefined) clauses.push(`${alias}id >= ${p.add(query.floorId)}`);
  return clauses;
}

export function whereSql(clauses: string[]): string {
  return clauses.length ? `where ${clauses.join(' and ')}` : '';
}

/**
 * The task columns without the body, and the body's size as `body_bytes` instead (`size`, the
 * driver's expression that reads it from the value's header without fetching the value): what a
 * list reads (task.repository.ts's ListedTask).
 */
export function listedColumns(size: string): string {
  return TASK_COLUMNS.split(', ')
    .map((column) => (column === 'body' ? `${size} as body_bytes` : column))
    .join(', ');
}
