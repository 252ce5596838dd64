import { isDatabaseUnavailable } from '../../db/db-errors.js';
import { schemaStatus } from '../../db/migration-status.js';
import type { RecorderDeps } from '../context.js';
import { problem, RETRY_AFTER_SECONDS, sendProblem } from '../errors.js';
import { healthResponse, problemResource } from '../schemas/resource.schema.js';
import { sendJson, type RouteSpec } from './route.js';

/**
 * The probes, public by design. /healthz says the process answers (liveness: restart it when this
 * fails); /readyz says it can do its job: the database answers and its schema is current
 * (readiness: send traffic elsewhere meanwhile). Readiness reads the migrations table directly
 * rather than through the migrator, which would create the table as a side effect.
 */
export function healthRoutes(deps: RecorderDeps): RouteSpec[] {
  async function readiness(): Promise<string | null> {
    let stores;
    try {
      stores = await deps.stores();
    } catch (error) {
      if (isDatabaseUnavailable(error)) return 'the database is unreachable';
      throw error;
    }
    let status;
    try {
      status = await schemaStatus(stores.db);
    } catch (error) {
      if (isDatabaseUnavailable(error)) return 'the database is unreachable';
      // A refused login or a permission: not ready either (503, spec 4.12), and the database's own
      // words stay in the server (they may name roles and schemas).
      return 'the database refused the schema check';
    }
    const { pending, missing } = status;
    if (missing) return 'the database schema is missing: run dispatchr migrate';
    return pending.length > 0
      ? `the database schema is old (${pending.length} pending migrations): run dispatchr migrate`
      : null;
  }

  return [
    {
      method: 'GET',
      path: '/healthz',
      operationId: 'health',
      summary: 'The process is alive',
      permission: 'public',
      responses: { 200: { description: 'Alive.', schema: healthResponse } },
      async handle(ctx) {
        sendJson(ctx, 200, { status: 'ok' });
      },
    },
    {
      method: 'GET',
      path: '/readyz',
      operationId: 'ready',
      summary: 'The database is reachable and its schema is current',
      permission: 'public',
      responses: {
        200: { description: 'Ready.', schema: healthResponse },
        503: { description: 'Not ready; `detail` says why. Carries Retry-After.', schema: problemResource },
      },
      async handle(ctx) {
        const reason = await readiness();
        if (reason === null) return sendJson(ctx, 200, { status: 'ready' });
        ctx.set('Retry-After', String(RETRY_AFTER_SECONDS));
        sendProblem(ctx, problem('not_ready', 503, reason));
      },
    },
  ];
}
