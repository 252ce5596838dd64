import { createSchedulerRegistry } from '../../db/scheduler-registry.repository.js';
import type { RecorderDeps } from '../context.js';
import { schedulerListResponse, visibleSchedulers } from '../scheduler-view.js';
import { sendJson, type RouteSpec } from './route.js';

/**
 * GET /v1/schedulers: the schedulers registered in the database, alive ones first. Alive or dead is
 * judged as the schedulers judge each other (no heartbeat for 5 × scheduler.heartbeatInterval of
 * this recorder's config is dead; its leases are being rescued). A token scoped to some queues
 * sees the schedulers serving at least one of them, with only those queues listed.
 *
 * Register it in routes/index.ts `allRoutes`: `...schedulerRoutes(deps)`.
 */
export function schedulerRoutes(deps: RecorderDeps): RouteSpec[] {
  return [
    {
      method: 'GET',
      path: '/v1/schedulers',
      permission: 'read',
      operationId: 'listSchedulers',
      summary: 'The schedulers registered in the database, alive or dead',
      responses: { 200: { description: 'Alive ones first, then by start time.', schema: schedulerListResponse } },
      async handle(ctx) {
        const stores = await deps.stores();
        const all = await createSchedulerRegistry(stores.db, deps.clock).listStatus(
          deps.config.scheduler.heartbeatInterval,
        );
        sendJson(ctx, 200, { schedulers: visibleSchedulers(ctx.state.principal, all) });
      },
    },
  ];
}
