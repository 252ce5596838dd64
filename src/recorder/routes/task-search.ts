import type { RecorderDeps } from '../context.js';
import { problemResource } from '../schemas/resource.schema.js';
import { parseStates, taskSearchQuerySchema } from '../schemas/search.schema.js';
import { sendTaskPage, taskPageResponse, type RouteSpec } from './route.js';
import { parseInput } from '../parse-input.js';
import { scopedFilter } from './scope.js';

/**
 * The operator's view across queues: `GET /v1/tasks` searches every queue the token may use (the
 * bulk actions on what it finds are in bulk-actions.ts). The CLI's `--url` mode is built on these,
 * so the filters are the CLI's flags, word for word.
 */
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
  ];
}
