import type { RecorderDeps } from '../context.js';
import { sessionResponse, type SessionResponse } from '../schemas/dashboard.schema.js';
import { sendJson, type RouteSpec } from './route.js';

/**
 * GET /v1/session: who the presented token is, so a client (the dashboard) can sign in with a
 * token (401 when it is not valid), show only the actions its role allows (the server refuses the
 * others anyway), and say when the API is open. Any valid token may ask; it learns only its own
 * role, name and queues.
 */
export function sessionRoutes(deps: RecorderDeps): RouteSpec[] {
  return [
    {
      method: 'GET',
      path: '/v1/session',
      permission: 'read',
      operationId: 'getSession',
      summary: "This token's role, name and queues, and whether the API is open",
      responses: { 200: { description: 'The caller as the recorder sees it.', schema: sessionResponse } },
      async handle(ctx) {
        const { principal } = ctx.state;
        const session: SessionResponse = {
          open: deps.config.recorder.tokens.length === 0,
          role: principal.role,
          name: principal.name,
          queues: principal.queues === null ? null : [...principal.queues].sort(),
        };
        sendJson(ctx, 200, session);
      },
    },
  ];
}
