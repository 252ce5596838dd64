import { readFileSync } from 'node:fs';
import Router from '@koa/router';
import { requirePermission } from '../auth.js';
import { requirePreflightedRequest } from '../browser-guards.js';
import { requireNoQuery, requireStorableQuery } from '../query-text.js';
import type { RecorderContext, RecorderDeps, RecorderState } from '../context.js';
import { buildOpenApiDocument } from '../openapi.js';
import { problemResource } from '../schemas/resource.schema.js';
import { bulkActionRoutes } from './bulk-actions.js';
import { createTaskRoutes } from './create-tasks.js';
import { cronRoutes } from './cron.js';
import { dashboardRoutes } from './dashboard.js';
import { healthRoutes } from './health.js';
import { keyRoutes } from './keys.js';
import { metricsRoutes } from './metrics.js';
import { queueRoutes } from './queues.js';
import { schedulerRoutes } from './schedulers.js';
import { sessionRoutes } from './session.js';
import { mountPrefix, sendJson, type RouteSpec } from './route.js';
import { taskSearchRoutes } from './task-search.js';
import { taskRoutes } from './tasks.js';

/**
 * Every route of the recorder, in one table: the router and the OpenAPI document are both built
 * from it. Paths are relative to wherever the app is mounted (recorder.basePath, or koa-mount).
 */
export function allRoutes(deps: RecorderDeps): RouteSpec[] {
  const routes: RouteSpec[] = [
    ...healthRoutes(deps),
    ...createTaskRoutes(deps),
    ...taskSearchRoutes(deps),
    ...bulkActionRoutes(deps),
    ...taskRoutes(deps),
    ...keyRoutes(deps),
    ...queueRoutes(deps),
    ...metricsRoutes(deps),
    ...schedulerRoutes(deps),
    ...sessionRoutes(deps),
    ...dashboardRoutes(deps),
    ...cronRoutes(deps),
  ];
  let document: Record<string, unknown> | undefined;
  routes.push({
    method: 'GET',
    path: '/v1/openapi.json',
    permission: 'read',
    operationId: 'openapi',
    summary: 'This document',
    responses: {
      200: { description: 'OpenAPI 3.1.' },
      401: { description: 'Missing or bad bearer token.', schema: problemResource },
    },
    async handle(ctx) {
      document ??= buildOpenApiDocument(routes, packageVersion());
      sendJson(ctx, 200, { ...document, servers: [{ url: mountPrefix(ctx) || '/' }] });
    },
  });
  return routes;
}

/**
 * Case-sensitive paths: `/V1/TASKS` is not an alias the auth walk or the document would know about.
 * Every route passes the same two checks before its handler, here and nowhere else: the token's role
 * against the route's permission (403), then the cross-site rule for methods a browser sends
 * without a preflight (415). Then query text the database cannot hold, and any query parameter on
 * a route that declares none (400, query-text.ts).
 */
export function buildRouter(routes: readonly RouteSpec[], deps: RecorderDeps): Router<RecorderState, RecorderContext> {
  const router = new Router<RecorderState, RecorderContext>({ sensitive: true });
  for (const route of routes) {
    router.register(route.path, [route.method], (ctx: RecorderContext) => {
      requirePermission(ctx.state.principal, route.permission, `${route.method} ${route.path}`);
      requirePreflightedRequest(ctx);
      requireStorableQuery(ctx.query);
      if (!route.query) requireNoQuery(ctx.query);
      return route.handle(ctx, deps);
    });
  }
  return router;
}

function packageVersion(): string {
  try {
    const json = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
      version?: string;
    };
    return json.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}
