import type { TaskFilter } from '../../db/task.repository.js';
import type { TaskState } from '../../task.js';
import { requireQueueAccess } from '../auth.js';
import { readJsonBody } from '../body.js';
import type { RecorderContext, RecorderDeps } from '../context.js';
import { queueNotFound } from '../errors.js';
import { parseRfc3339 } from '../../rules/rfc3339.js';
import { problemResource } from '../schemas/resource.schema.js';
import {
  bulkRetryBodySchema,
  bulkRetryResponse,
  parseStates,
  taskSearchQuerySchema,
} from '../schemas/search.schema.js';
import { sendJson, sendTaskPage, taskPageResponse, type RouteSpec } from './route.js';
import { parseInput } from '../parse-input.js';

/**
 * The operator's view across queues: `GET /v1/tasks` searches every queue the token may use, and
 * `POST /v1/tasks/retry` retries every failed or cancelled task a filter matches, server-side in
 * batches (each batch one compare-and-set statement), answering the count. The CLI's `--url` mode
 * is built on these, so the filters are the CLI's flags, word for word.
 */
const BULK_BATCH = 500;

interface FilterInput {
  queue?: string;
  states?: TaskState[];
  since?: string;
  until?: string;
  path?: string;
  search?: string;
}

/** A queue named explicitly must be configured (404) and in the token's scope (403); otherwise the scope bounds the search. */
function scopedFilter(ctx: RecorderContext, deps: RecorderDeps, input: FilterInput): TaskFilter {
  const principal = ctx.state.principal;
  let queues: string[] | undefined;
  if (input.queue !== undefined) {
    if (!Object.hasOwn(deps.config.queues, input.queue)) throw queueNotFound(input.queue);
    requireQueueAccess(principal, input.queue);
    queues = [input.queue];
  } else if (principal.queues !== null) {
    queues = [...principal.queues];
  }
  return {
    queues,
    states: input.states,
    since: input.since === undefined ? undefined : new Date(parseRfc3339(input.since)!),
    until: input.until === undefined ? undefined : new Date(parseRfc3339(input.until)!),
    pathPrefix: input.path,
    search: input.search,
  };
}

export function taskSearchRoutes(deps: RecorderDeps): RouteSpec[] {
  return [
    {
      method: 'GET',
      path: '/v1/tasks',
      permission: 'read',
      operationId: 'searchTasks',
      summary: 'Tasks of every queue this token may use, newest first, filtered by the database',
      query: taskSearchQuerySchema,
      responses: {
        200: taskPageResponse,
        400: {
          description: 'A bad filter, limit, cursor or view; `errors` names the parameter.',
          schema: problemResource,
        },
        404: { description: '`queue` is not configured.', schema: problemResource },
        503: {
          description: '`reads_busy` or `query_timeout` (docs/spec.md 4.8); carries Retry-After.',
          schema: problemResource,
        },
      },
      async handle(ctx) {
        const query = parseInput(taskSearchQuerySchema, { ...ctx.query });
        const filter = scopedFilter(ctx, deps, { ...query, states: parseStates(query.state) });
        await sendTaskPage(ctx, deps, filter, query);
      },
    },
    {
      method: 'POST',
      path: '/v1/tasks/retry',
      permission: 'admin',
      operationId: 'retryTasks',
      summary: 'Retry every failed or cancelled task a filter matches (server-side, in batches)',
      body: bulkRetryBodySchema,
      responses: {
        200: { description: 'How many matched, and how many were retried.', schema: bulkRetryResponse },
        400: { description: 'A bad filter; `errors` names the field.', schema: problemResource },
        404: { description: '`queue` is not configured.', schema: problemResource },
      },
      async handle(ctx) {
        const { value } = await readJsonBody(ctx, deps.config.recorder.maxBodySize);
        const body = parseInput(bulkRetryBodySchema, value);
        const states = Array.isArray(body.state) ? [...new Set(body.state)] : [body.state];
        const filter = scopedFilter(ctx, deps, { ...body, states });
        const stores = await deps.stores();
        const matched = await stores.tasks.countTasks(filter);
        const retried =
          body.dryRun || matched === 0 ? 0 : await stores.tasks.retryMatching(filter, { batchSize: BULK_BATCH });
        if (!body.dryRun)
          deps.logger.info(
            { principal: ctx.state.principal.name ?? ctx.state.principal.id, matched, retried },
            'bulk retry',
          );
        sendJson(ctx, 200, { matched, retried });
      },
    },
  ];
}
