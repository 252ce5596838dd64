import Koa from 'koa';
import mount from 'koa-mount';
import type Router from '@koa/router';
import { systemClock, type Clock } from '../clock.js';
import type { ResolvedConfig } from '../config/load.js';
import { createIdempotencyRepository } from '../db/idempotency.repository.js';
import { initOrm, type Orm } from '../db/orm.js';
import { createQueueStateRepository } from '../db/queue-state.repository.js';
import { createTaskRepository } from '../db/task.repository.js';
import { DispatchrError } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import { createMetrics, type Metrics } from '../metrics/metrics.js';
import { authMiddleware, createAuthenticator, PUBLIC_PATHS, warnWhenOpen, type Permission } from './auth.js';
import { hostGuard } from './browser-guards.js';
import type { RecorderContext, RecorderDeps, RecorderState, Stores } from './context.js';
import { createCreateBatcher } from './create-batcher.js';
import { errorMiddleware, problem, sendProblem } from './errors.js';
import { allRoutes, buildRouter } from './routes/index.js';
import { uiStatic } from './ui-static.js';

/**
 * `createRecorder()` returns a Koa app that does not listen: mount it in an existing Koa app
 * (`app.use(mount('/dispatchr', recorder))`) or serve it with `startRecorderServer()`. It is built
 * synchronously, so it can be mounted at import time; the database opens on first use (or with
 * `ready()`), and a database that is down answers 503 until it is back.
 *
 * Middleware order: errors (the one place an error becomes a response) → Host (before auth, so a
 * rebinding page learns nothing, not even 401) → auth (before routing, so every route is covered) →
 * the dashboard's static files at /ui (public, when `recorder.ui.enabled`; every /ui path ends
 * there) → router (each route's role and cross-site checks, then its handler) → 405/404 for what
 * the router did not take.
 */
export interface CreateRecorderOptions {
  config: ResolvedConfig;
  /** An open database; when absent one is opened from config.database and closed by close(). */
  db?: Orm;
  clock?: Clock;
  logger?: Logger;
  /** Group single creates of one event-loop turn into one transaction (default true). */
  coalesceCreates?: boolean;
  /** Process metrics (CPU, memory, event loop) at GET /metrics; default true. */
  processMetrics?: boolean;
}

export interface RouteInfo {
  method: string;
  path: string;
  public: boolean;
  /** As the route table declares it (undefined for a route declared without one: a bug the role matrix test catches). */
  permission: Permission | undefined;
}

export type Recorder = Koa<RecorderState> & {
  /** Opens the database now (it is otherwise opened on first use); rejects when it cannot. */
  ready(): Promise<void>;
  /** Closes the database if this recorder opened it. Does not touch a `db` that was passed in. */
  close(): Promise<void>;
  /** Every method and path the router serves, read from the router itself (for the auth walk). */
  readonly routes: readonly RouteInfo[];
  /** What GET /metrics serves; a host app may also read `metrics.registry`. */
  readonly metrics: Metrics;
};

export function createRecorder(options: CreateRecorderOptions): Recorder {
  const { config } = options;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const authenticator = createAuthenticator(config.recorder.tokens);
  warnWhenOpen(config, options.logger);

  let opening: Promise<Stores> | undefined;
  let closed = false;
  const stores = (): Promise<Stores> => {
    if (closed)
      return Promise.reject(new DispatchrError('database_unavailable', 'the recorder is closed', { status: 503 }));
    opening ??= openStores().catch((error: unknown) => {
      opening = undefined; // a database that was down is tried again by the next request
      throw error;
    });
    return opening;
  };
  async function openStores(): Promise<Stores> {
    const db =
      options.db ??
      (await initOrm({ url: config.database.url, baseDir: config.source.dir, poolSize: config.database.poolSize }));
    const tasks = createTaskRepository(db, clock);
    const queueStates = createQueueStateRepository(db, clock);
    // Every queue's defaultPriority, for inserts that cannot see the config (spec 11.1). Best
    // effort: the recorder itself uses its config's, and schedulers and `migrate` write it too.
    await queueStates.recordDefaults(config.queues).catch((error: unknown) => {
      logger.warn(
        { err: error },
        "could not store the queues' defaultPriority for enqueueWithin (next start tries again)",
      );
    });
    return {
      db,
      tasks,
      idempotency: createIdempotencyRepository(db, clock),
      queueStates,
      creates:
        options.coalesceCreates === false
          ? { create: async (task) => (await tasks.insertTasks([task]))[0] }
          : createCreateBatcher({ insert: (list) => tasks.insertTasks(list) }),
    };
  }

  // Task gauges come from one grouped query per scrape (cached a few seconds), over configured queues.
  const metrics = createMetrics({
    summaries: async () => (await stores()).tasks.queueSummaries(Object.keys(config.queues)),
    processMetrics: options.processMetrics,
    now: () => clock.now().getTime(),
  });
  const deps: RecorderDeps = { config, clock, logger, metrics, stores };
  const routes = allRoutes(deps);
  const router = buildRouter(routes, deps);

  const core = new Koa<RecorderState>({ proxy: config.recorder.trustProxy });
  core.use(requestLog(logger));
  core.use(errorMiddleware(logger));
  core.use(hostGuard(config));
  core.use(authMiddleware(authenticator, { publicUi: config.recorder.ui.enabled }));
  if (config.recorder.ui.enabled) core.use(uiStatic());
  core.use(router.routes());
  core.use(unrouted(router));

  const basePath = config.recorder.basePath.replace(/\/+$/, '') || '/';
  let app = core;
  if (basePath !== '/') {
    app = new Koa<RecorderState>({ proxy: config.recorder.trustProxy });
    app.use(mount(basePath, core));
    app.use(errorMiddleware(logger));
    app.use(unrouted(null));
  }

  // HEAD is served by the GET route of the same path.
  const declared = (method: string, path: string) =>
    routes.find((r) => r.path === path && r.method === (method === 'HEAD' ? 'GET' : method));
  const routeList: RouteInfo[] = router.stack.flatMap((layer) =>
    layer.methods.map((method) => ({
      method,
      path: String(layer.path),
      public: PUBLIC_PATHS.has(String(layer.path)),
      permission: declared(method, String(layer.path))?.permission,
    })),
  );
  return Object.assign(app, {
    routes: routeList,
    metrics,
    async ready() {
      await stores();
    },
    async close() {
      if (closed) return;
      closed = true;
      const opened = await opening?.catch(() => undefined);
      if (opened && !options.db) await opened.db.close();
    },
  });
}

const METHOD_ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** 405 with Allow when the path exists under other methods (OPTIONS answers the Allow list), else 404. */
function unrouted(router: Router<RecorderState, RecorderContext> | null) {
  return async function unroutedRequest(ctx: Koa.Context): Promise<void> {
    const layers = router ? router.match(ctx.path, ctx.method).path : [];
    const allowed = [...new Set(layers.flatMap((layer) => layer.methods))].sort(
      (a, b) => METHOD_ORDER.indexOf(a) - METHOD_ORDER.indexOf(b),
    );
    if (allowed.length === 0) {
      sendProblem(ctx, problem('not_found', 404, `no route ${ctx.method} ${ctx.path}`));
      return;
    }
    ctx.set('Allow', [...allowed, 'OPTIONS'].join(', '));
    if (ctx.method === 'OPTIONS') {
      ctx.status = 204;
      return;
    }
    sendProblem(
      ctx,
      problem('method_not_allowed', 405, `${ctx.method} is not allowed here; allowed: ${allowed.join(', ')}`),
    );
  };
}

function requestLog(logger: Logger) {
  return async function logRequest(ctx: Koa.Context, next: Koa.Next): Promise<void> {
    const started = performance.now();
    try {
      await next();
    } finally {
      logger.debug(
        { method: ctx.method, path: ctx.path, status: ctx.status, ms: Math.round(performance.now() - started) },
        'request',
      );
    }
  };
}
