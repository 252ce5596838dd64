import type { RecorderDeps } from '../context.js';
import { forbidden } from '../errors.js';
import { problemResource } from '../schemas/resource.schema.js';
import type { RouteSpec } from './route.js';

/**
 * GET /metrics: Prometheus text. Behind auth like every /v1 route (the auth walk covers it), and
 * only for tokens that see every queue: the gauges name every queue and its counts, which a token
 * scoped to some queues must not learn.
 */
export function metricsRoutes(deps: RecorderDeps): RouteSpec[] {
  return [
    {
      method: 'GET',
      path: '/metrics',
      permission: 'read',
      operationId: 'metrics',
      summary: 'Prometheus metrics: task counts per queue and state, oldest due age, tasks enqueued, process metrics',
      responses: {
        200: { description: 'Prometheus text exposition format (text/plain; version=0.0.4).' },
        403: { description: 'The token is limited to some queues.', schema: problemResource },
      },
      async handle(ctx) {
        if (ctx.state.principal.queues !== null)
          throw forbidden('metrics cover every queue: use a token that is not limited to some queues');
        const { contentType, body } = await deps.metrics.render();
        ctx.status = 200;
        ctx.type = contentType;
        ctx.body = body;
      },
    },
  ];
}
