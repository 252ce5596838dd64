import type { TaskFilter } from '../../db/task.repository.js';
import { parseRfc3339 } from '../../rules/rfc3339.js';
import type { TaskState } from '../../task.js';
import { requireQueueAccess } from '../auth.js';
import type { RecorderContext, RecorderDeps } from '../context.js';
import { queueNotFound } from '../errors.js';

/**
 * What a read or bulk action across queues may touch: a queue named explicitly must be configured
 * (404) and in the token's scope (403); otherwise the token's scope bounds it (undefined: every
 * queue).
 */
export function scopedQueues(
  ctx: RecorderContext,
  deps: RecorderDeps,
  queue: string | undefined,
): string[] | undefined {
  const principal = ctx.state.principal;
  if (queue !== undefined) {
    if (!Object.hasOwn(deps.config.queues, queue)) throw queueNotFound(queue);
    requireQueueAccess(principal, queue);
    return [queue];
  }
  return principal.queues === null ? undefined : [...principal.queues];
}

/** The filter words of GET /v1/tasks and the bulk actions, as validated by search.schema.ts. */
export interface FilterInput {
  queue?: string;
  states?: TaskState[];
  since?: string;
  until?: string;
  path?: string;
  search?: string;
  ids?: string[];
}

export function scopedFilter(ctx: RecorderContext, deps: RecorderDeps, input: FilterInput): TaskFilter {
  return {
    queues: scopedQueues(ctx, deps, input.queue),
    states: input.states,
    since: input.since === undefined ? undefined : new Date(parseRfc3339(input.since)!),
    until: input.until === undefined ? undefined : new Date(parseRfc3339(input.until)!),
    pathPrefix: input.path,
    search: input.search,
    // Ids are stored lowercase; a repeated one is one task.
    ids: input.ids === undefined ? undefined : [...new Set(input.ids.map((id) => id.toLowerCase()))],
  };
}
