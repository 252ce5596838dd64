import { createTaskReports } from '../../db/task-reports.repository.js';
import { describeActivity } from '../activity-view.js';
import type { RecorderDeps } from '../context.js';
import { describeFailures } from '../failure-groups.js';
import { parseInput } from '../parse-input.js';
import {
  activityQuerySchema,
  activityResponse,
  DEFAULT_ACTIVITY_MINUTES,
  failureGroupsResponse,
  failuresQuerySchema,
} from '../schemas/dashboard.schema.js';
import { problemResource } from '../schemas/resource.schema.js';
import { boundedRead, sendJson, type RouteSpec } from './route.js';
import { scopedQueues } from './scope.js';

/**
 * The reads behind the dashboard's overview and dead-letter view, each one bounded statement:
 * per-minute activity (GET /v1/activity) and failed tasks grouped (GET /v1/failures). Both cover
 * the queues the token may use, or the one `queue` names.
 */
const badQuery = { description: 'A bad parameter; `errors` names it.', schema: problemResource };
const unknownQueue = { description: '`queue` is not configured.', schema: problemResource };

export function dashboardRoutes(deps: RecorderDeps): RouteSpec[] {
  return [
    {
      method: 'GET',
      path: '/v1/activity',
      permission: 'read',
      operationId: 'getActivity',
      summary: 'Tasks completed and failed, and attempts retried, per minute and queue',
      query: activityQuerySchema,
      responses: {
        200: { description: 'Per minute and queue, oldest first.', schema: activityResponse },
        400: badQuery,
        404: unknownQueue,
      },
      async handle(ctx) {
        const query = parseInput(activityQuerySchema, { ...ctx.query });
        const queues = scopedQueues(ctx, deps, query.queue);
        const stores = await deps.stores();
        const minutes = query.minutes === undefined ? DEFAULT_ACTIVITY_MINUTES : Number(query.minutes);
        const now = deps.clock.now();
        const reports = createTaskReports(stores.db);
        const activity = await boundedRead(ctx, deps, (timeoutMs) =>
          describeActivity(reports, { now, minutes, queues, timeoutMs }),
        );
        sendJson(ctx, 200, activity);
      },
    },
    {
      method: 'GET',
      path: '/v1/failures',
      permission: 'read',
      operationId: 'listFailureGroups',
      summary: 'The most recently failed tasks, grouped by queue, last status and last error',
      query: failuresQuerySchema,
      responses: {
        200: { description: 'The groups, largest first.', schema: failureGroupsResponse },
        400: badQuery,
        404: unknownQueue,
      },
      async handle(ctx) {
        const query = parseInput(failuresQuerySchema, { ...ctx.query });
        const queues = scopedQueues(ctx, deps, query.queue);
        const stores = await deps.stores();
        const reports = createTaskReports(stores.db);
        sendJson(ctx, 200, await boundedRead(ctx, deps, (timeoutMs) => describeFailures(reports, queues, timeoutMs)));
      },
    },
  ];
}
