import { z } from 'zod';
import { createSchedulerRegistry, type SchedulerStatus } from '../../db/scheduler-registry.repository.js';
import { canAccessQueue, type Principal } from '../auth.js';
import type { RecorderDeps } from '../context.js';
import { sendJson, type RouteSpec } from './route.js';

/**
 * GET /v1/schedulers: the schedulers registered in the database, alive ones first. Alive or dead is
 * judged as the schedulers judge each other (no heartbeat for 5 × scheduler.heartbeatInterval of
 * this recorder's config is dead; its leases are being rescued). A token scoped to some queues
 * sees the schedulers serving at least one of them, with only those queues listed.
 *
 * Register it in routes/index.ts `allRoutes`: `...schedulerRoutes(deps)`.
 */
const time = z.string().describe('RFC 3339, UTC');

export const schedulerResource = z.object({
  id: z.string().describe('The lease owner id (scheduler.id, or host-pid-random).'),
  host: z.string(),
  pid: z.number().int(),
  queues: z.array(z.string()).describe('The queues it serves (those this token may use).'),
  startedAt: time,
  heartbeatAt: time.describe('Its last heartbeat.'),
  alive: z.boolean().describe('false after 5 heartbeat intervals of silence: its leases are rescued by the live ones.'),
  silentMs: z.number().int().describe('Time since the last heartbeat, by the recorder’s clock.'),
});

export const schedulerListResponse = z.object({ schedulers: z.array(schedulerResource) });
export type SchedulerResource = z.infer<typeof schedulerResource>;

export function renderScheduler(status: SchedulerStatus, queues: string[] = status.queues): SchedulerResource {
  return {
    id: status.id,
    host: status.host,
    pid: status.pid,
    queues,
    startedAt: status.startedAt.toISOString(),
    heartbeatAt: status.heartbeatAt.toISOString(),
    alive: status.alive,
    silentMs: Math.round(status.silentMs),
  };
}

/** The schedulers a principal may see, each with only the queues it may use. */
export function visibleSchedulers(principal: Principal, all: readonly SchedulerStatus[]): SchedulerResource[] {
  return all.flatMap((status) => {
    const queues = status.queues.filter((queue) => canAccessQueue(principal, queue));
    return principal.queues === null || queues.length > 0 ? [renderScheduler(status, queues)] : [];
  });
}

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
        const all = await createSchedulerRegistry(stores.db, deps.clock).listStatus(deps.config.scheduler.heartbeatInterval);
        sendJson(ctx, 200, { schedulers: visibleSchedulers(ctx.state.principal, all) });
      },
    },
  ];
}
