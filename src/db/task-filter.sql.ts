import type { TaskState } from '../task.js';
import type { SqlParams } from './task-row.js';
import { SENSITIVE_NAME_PARTS } from '../sensitive-names.js';

/**
 * The WHERE clauses of every task search (list, count, bulk retry), per dialect, so the API, the
 * CLI and the bulk retry select exactly the same rows. Everything is filtered by the database.
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
}

/**
 * Sensitive header names, by the one rule the API and the logs use (src/sensitive-names.ts): their
 * values are never searched, or a search would be an oracle that reveals a redacted secret one
 * guessed prefix at a time. The parts are lowercase letters, safe to inline in LIKE patterns.
 */
function sensitiveName(column: string): string {
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

/**
 * `state in (…)`. On SQLite, its indexes by state leave running rows out (migration 0007), and its
 * planner uses a partial index only when the query repeats the index's WHERE term: so settled
 * states are asked for with `state <> 'running'`, running ones with `state = 'running'` (the
 * running index's own term), and both as an OR of the two.
 */
export function stateClause(states: readonly TaskState[], p: SqlParams, dialect: 'postgresql' | 'sqlite'): string {
  if (states.length === 0) return '1 = 0';
  const settled = dialect === 'sqlite' ? states.filter((state) => state !== 'running') : states;
  const listed = () => `state in (${settled.map((s) => p.add(s)).join(', ')})`;
  if (dialect === 'postgresql') return listed();
  if (settled.length === 0) return `state = 'running'`;
  if (settled.length === states.length) return `state <> 'running' and ${listed()}`;
  return `(state = 'running' or (state <> 'running' and ${listed()}))`;
}

export function filterClauses(filter: TaskFilter, p: SqlParams, dialect: 'postgresql' | 'sqlite'): string[] {
  const where: string[] = [];
  const queues = namedQueues(filter);
  if (queues) where.push(queues.length ? `queue in (${queues.map((q) => p.add(q)).join(', ')})` : '1 = 0');
  const states = namedStates(filter);
  if (states) where.push(stateClause(states, p, dialect));
  if (filter.since) where.push(`created_at >= ${p.add(filter.since)}`);
  if (filter.until) where.push(`created_at < ${p.add(filter.until)}`);
  if (filter.pathPrefix !== undefined) {
    where.push(`substr(path, 1, ${p.add(filter.pathPrefix.length)}) = ${p.add(filter.pathPrefix)}`);
  }
  if (filter.search !== undefined && filter.search !== '') {
    const pattern = `%${filter.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    if (dialect === 'postgresql') {
      // jsonb text for JSON bodies (unicode intact), the raw bytes for the rest (and for JSON as
      // written, spacing included); header names and non-sensitive values through jsonb_each_text.
      const needle = p.add(pattern);
      where.push(
        `(body_json::text ilike ${needle} or encode(body, 'escape') ilike ${needle}
          or exists (select 1 from jsonb_each_text(headers) h
                     where h.key ilike ${needle} or (not ${sensitiveName('h.key')} and h.value ilike ${needle})))`,
      );
    } else {
      // SQLite's LIKE is case-insensitive for ASCII; headers are JSON text, read with json_each.
      const needle = () => `${p.add(pattern)} escape '\\'`;
      where.push(
        `(cast(body as text) like ${needle()}
          or exists (select 1 from json_each(headers) h
                     where h.key like ${needle()} or (not ${sensitiveName('h.key')} and h.value like ${needle()})))`,
      );
    }
  }
  return where;
}
