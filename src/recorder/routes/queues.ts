import { canAccessQueue } from '../auth.js';
import type { RecorderDeps, Stores } from '../context.js';
import { problemResource, purgeResponse, queueListResponse, queueResource } from '../schemas/resource.schema.js';
import { createSchedulerRegistry } from '../../db/scheduler-registry.repository.js';
import { describeQueues } from '../queue-view.js';
import { resolveQueue, sendJson, type RouteSpec } from './route.js';

/**
 * Queues come from config only: these routes read and steer them, never create one. A token scoped
 * to some queues sees only those in the list.
 */
const describe = (deps: RecorderDeps, stores: Stores, names: string[]) =>
  describeQueues(
    { ...stores, schedulers: createSchedulerRegistry(stores.db, deps.clock) },
    deps.config,
    names,
    deps.clock.now(),
  );

const unknownQueue = { description: 'Unknown queue.', schema: problemResource };

export function queueRoutes(deps: RecorderDeps): RouteSpec[] {
  const setPaused = (paused: boolean): RouteSpec => ({
    method: 'POST',
    path: `/v1/queues/:queue/${paused ? 'pause' : 'resume'}`,
    permission: 'admin',
    operationId: paused ? 'pauseQueue' : 'resumeQueue',
    summary: paused ? 'Stop dispatching the queue (tasks are still accepted)' : 'Resume dispatching the queue',
    responses: { 200: { description: 'The queue after the change.', schema: queueResource }, 404: unknownQueue },
    async handle(ctx) {
      const { name } = resolveQueue(ctx, deps);
      const stores = await deps.stores();
      await stores.queueStates.setPaused(name, paused);
      const [queue] = await describe(deps, stores, [name]);
      sendJson(ctx, 200, queue);
    },
  });

  return [
    {
      method: 'GET',
      path: '/v1/queues',
      permission: 'read',
      operationId: 'listQueues',
      summary: 'Every configured queue with its counts per state',
      responses: { 200: { description: 'The queues this token may use.', schema: queueListResponse } },
      async handle(ctx) {
        const names = Object.keys(deps.config.queues).filter((name) => canAccessQueue(ctx.state.principal, name));
        const stores = await deps.stores();
        sendJson(ctx, 200, { queues: await describe(deps, stores, names) });
      },
    },
    setPaused(true),
    setPaused(false),
    {
      method: 'POST',
      path: '/v1/queues/:queue/purge',
      permission: 'admin',
      operationId: 'purgeQueue',
      summary: 'Delete the waiting tasks of a queue (running ones finish normally)',
      responses: { 200: { description: 'How many tasks were deleted.', schema: purgeResponse }, 404: unknownQueue },
      async handle(ctx) {
        const { name } = resolveQueue(ctx, deps);
        const stores = await deps.stores();
        sendJson(ctx, 200, { queue: name, purged: await stores.tasks.purgeQueue(name) });
      },
    },
  ];
}
