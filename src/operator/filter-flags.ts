import { Flags } from '@oclif/core';
import { parseDuration } from '../duration.js';
import { DispatchrError } from '../errors.js';
import { parseRfc3339 } from '../rules/rfc3339.js';
import { TASK_STATES, type TaskState } from '../task.js';
import type { TaskFilterInput } from './backend.js';

/**
 * The filter flags of `tasks list` and the bulk `tasks retry`, read into the filter both backends
 * take. Times are absolute by the time they leave here: `--since 2h` means two hours before now on
 * this machine, whichever backend then runs the search.
 */
export const filterFlags = {
  queue: Flags.string({ char: 'q', description: 'Only this queue.' }),
  state: Flags.string({
    char: 's',
    multiple: true,
    description: `Only these states (${TASK_STATES.join(', ')}); repeat or separate with commas.`,
  }),
  since: Flags.string({
    description: 'Created at or after: a duration ago ("2h", "7d") or an RFC 3339 time / YYYY-MM-DD (UTC).',
  }),
  until: Flags.string({ description: 'Created before: a duration ago or an RFC 3339 time / YYYY-MM-DD (UTC).' }),
  path: Flags.string({ description: 'Only tasks whose path starts with this.' }),
  search: Flags.string({
    description: 'Text in the body, a header name or a (non-sensitive) header value; case-insensitive.',
  }),
};

export interface FilterFlagValues {
  queue?: string;
  state?: string[];
  since?: string;
  until?: string;
  path?: string;
  search?: string;
}

export function usageError(message: string): DispatchrError {
  return new DispatchrError('usage', message, { status: 2 });
}

export function parseStates(values: readonly string[] | undefined): TaskState[] | undefined {
  if (values === undefined || values.length === 0) return undefined;
  const states = values
    .flatMap((value) => value.split(','))
    .map((state) => state.trim().toLowerCase())
    .filter(Boolean);
  const unknown = states.filter((state) => !(TASK_STATES as readonly string[]).includes(state));
  if (unknown.length > 0)
    throw usageError(`--state: unknown state ${JSON.stringify(unknown[0])}; expected ${TASK_STATES.join(', ')}`);
  return [...new Set(states as TaskState[])];
}

/** "2h" (ago), an RFC 3339 time, or a calendar date taken as midnight UTC. */
export function parseTime(value: string, flag: string, now: Date): Date {
  const ago = parseDuration(value, 's');
  if (ago !== undefined && !/^\s*\d+(\.\d+)?\s*$/.test(value)) return new Date(now.getTime() - ago);
  const date = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value;
  const ms = parseRfc3339(date);
  if (ms === undefined)
    throw usageError(
      `--${flag}: expected a duration ago like "2h" or a time like "2025-01-31T12:00:00Z", got ${JSON.stringify(value)}`,
    );
  return new Date(ms);
}

export function readFilter(flags: FilterFlagValues, now: Date = new Date()): TaskFilterInput {
  const since = flags.since === undefined ? undefined : parseTime(flags.since, 'since', now);
  const until = flags.until === undefined ? undefined : parseTime(flags.until, 'until', now);
  if (since && until && since >= until) throw usageError('--since must be before --until');
  if (flags.search !== undefined && flags.search.length > 200)
    throw usageError('--search: expected at most 200 characters');
  return {
    queue: flags.queue,
    states: parseStates(flags.state),
    since,
    until,
    path: flags.path,
    search: flags.search === '' ? undefined : flags.search,
  };
}
