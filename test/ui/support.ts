import type http from 'node:http';
import { parseConfig, type ResolvedConfig } from '../../src/config/load.js';
import type { ConfigInput } from '../../src/config/schema.js';
import type { Orm } from '../../src/db/orm.js';
import { silentLogger } from '../../src/logger.js';
import { startRecorderServer, type RecorderServer } from '../../src/recorder/server.js';
import { createScheduler, type Scheduler } from '../../src/scheduler/scheduler.js';
import { createTestDatabase, type DriverName, type TestDatabase } from '../support/databases.js';
import { startTargetServer, waitFor, type ReceivedRequest, type TargetServer } from '../support/target-server.js';
import { call, type Reply } from '../integration/recorder/support.js';

/**
 * The dashboard's world for one test file and one database: a real target HTTP server, a real
 * recorder (which serves the UI at /ui/) and a real scheduler, all in this process on 127.0.0.1.
 * Tests seed tasks through the public API, as a user would, and let the scheduler decide their fate.
 *
 * Queues: `emails` and `reports` are served by the scheduler; `idle` is not, so its tasks wait with
 * the reason "no scheduler", and its target carries credentials the UI must never show.
 */
export const ADMIN_TOKEN = 'ui-admin-token-0123456789abcdef';
export const READ_TOKEN = 'ui-read-token-0123456789abcdef';
export const ENQUEUE_TOKEN = 'ui-enqueue-token-0123456789abcdef';
/** A read token scoped to the `reports` queue. */
export const SCOPED_TOKEN = 'ui-scoped-token-0123456789abcdef';

/** What the `idle` queue's target hides: the UI shows the target without them. */
export const TARGET_PASSWORD = 'hunter2-secret';
export const TARGET_QUERY_SECRET = 'key-secret-42';

/** What a target answers for `/xss` paths: a response excerpt that must stay text. */
export const SCRIPT_RESPONSE = '<script>window.__dispatchrXss = 1; alert(1)</script>';

export interface UiStack {
  driver: DriverName;
  /** The recorder's base URL (no trailing slash). */
  url: string;
  /** Where the dashboard is served. */
  uiUrl: string;
  /** Whether the API is open (no tokens). */
  open: boolean;
  target: TargetServer;
  recorder: RecorderServer;
  scheduler: Scheduler;
  db: Orm;
  config: ResolvedConfig;
  /** A call to the public API, with the admin token unless told otherwise. */
  api(method: string, path: string, options?: { body?: unknown; token?: string | null }): Promise<Reply>;
  /** Creates a task through the API and answers its id. */
  createTask(queue: string, fields?: Record<string, unknown>): Promise<string>;
  /** Reads a task through the API (full view). */
  task(id: string): Promise<any>;
  /** Waits until the API shows the task in this state. */
  waitForState(id: string, state: string): Promise<any>;
  close(): Promise<void>;
}

export interface StackOptions {
  /** No tokens: the API is open (the quickstart's default). */
  open?: boolean;
}

/**
 * The target decides by path, so one server serves every scenario:
 * `.../status-NNN...` answers NNN always, `.../once-NNN...` answers NNN the first time and 200 after,
 * `.../xss...` answers 400 with a script as its body, anything else 200.
 */
function scriptedReply(req: ReceivedRequest, res: http.ServerResponse, count: number): void {
  const always = /\/status-(\d{3})/.exec(req.path);
  if (always) return void res.writeHead(Number(always[1]), { 'content-type': 'text/plain' }).end('failed on purpose');
  const once = /\/once-(\d{3})/.exec(req.path);
  if (once && count === 1) return void res.writeHead(Number(once[1]), { 'content-type': 'text/plain' }).end('not yet');
  if (req.path.includes('/xss')) return void res.writeHead(400, { 'content-type': 'text/html' }).end(SCRIPT_RESPONSE);
  res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
}

function uiConfigInput(target: TargetServer, databaseUrl: string, open: boolean): ConfigInput {
  return {
    database: { url: databaseUrl },
    recorder: {
      host: '127.0.0.1',
      port: 0,
      tokens: open
        ? []
        : [
            { token: ADMIN_TOKEN, name: 'operator' },
            { token: READ_TOKEN, name: 'viewer', role: 'read' },
            { token: ENQUEUE_TOKEN, name: 'app', role: 'enqueue' },
            { token: SCOPED_TOKEN, name: 'reports-viewer', role: 'read', queues: ['reports'] },
          ],
    },
    scheduler: { leaseDuration: '10s', pollInterval: '200ms', heartbeatInterval: '1s', shutdownTimeout: '1s' },
    queues: {
      emails: {
        target: `${target.url}/emails`,
        allowPrivateNetwork: true,
        timeout: '2s',
        retry: { strategy: 'fixed', options: { delay: 200 }, maxAttempts: 2 },
      },
      reports: { target: `${target.url}/reports`, allowPrivateNetwork: true, timeout: '2s', maxConcurrent: 5 },
      idle: {
        target: `http://ops:${TARGET_PASSWORD}@127.0.0.1:${target.port}/idle?api_key=${TARGET_QUERY_SECRET}`,
        allowPrivateNetwork: true,
        timeout: '2s',
      },
    },
  };
}

/** The queues the scheduler serves; `idle` is left out on purpose. */
export const SERVED_QUEUES = ['emails', 'reports'];
export const ALL_QUEUES = ['emails', 'reports', 'idle'];

export async function startUiStack(driver: DriverName, options: StackOptions = {}): Promise<UiStack> {
  const open = options.open ?? false;
  const target = await startTargetServer({}, scriptedReply);
  const testDb: TestDatabase = await createTestDatabase(driver);
  const db = await testDb.openMigrated();
  const config = parseConfig(uiConfigInput(target, testDb.url, open));
  const recorder = await startRecorderServer(config, { db, logger: silentLogger });
  const scheduler = await createScheduler({ config, db, queues: SERVED_QUEUES, logger: silentLogger });
  await scheduler.start();
  const defaultToken = open ? null : ADMIN_TOKEN;

  const api: UiStack['api'] = (method, path, callOptions = {}) =>
    call(recorder.url, method, path, {
      body: callOptions.body,
      token: callOptions.token === undefined ? defaultToken : callOptions.token,
    });
  const task = async (id: string) => {
    const reply = await api('GET', `/v1/tasks/${id}`);
    if (reply.status !== 200) throw new Error(`GET /v1/tasks/${id} answered ${reply.status}: ${reply.text}`);
    return reply.body;
  };

  return {
    driver,
    url: recorder.url,
    uiUrl: `${recorder.url}/ui/`,
    open,
    target,
    recorder,
    scheduler,
    db,
    config,
    api,
    task,
    async createTask(queue, fields = {}) {
      const reply = await api('POST', `/v1/queues/${queue}/tasks`, { body: fields });
      if (reply.status !== 201) throw new Error(`creating a task in ${queue} answered ${reply.status}: ${reply.text}`);
      return reply.body.id as string;
    },
    waitForState: (id, state) =>
      waitFor(
        async () => {
          const current = await task(id);
          return current.state === state ? current : null;
        },
        15_000,
        `task ${id} to be ${state}`,
      ),
    async close() {
      await scheduler.stop({ timeoutMs: 1000 }).catch(() => undefined);
      await recorder.close().catch(() => undefined);
      await target.close();
      await testDb.cleanup();
    },
  };
}

/** Creates tasks that the target fails at once (400s are not retried) and waits until they are failed. */
export async function seedFailed(stack: UiStack, queue: string, paths: string[], body?: unknown): Promise<string[]> {
  const ids = await Promise.all(paths.map((path) => stack.createTask(queue, { path, body })));
  await Promise.all(ids.map((id) => stack.waitForState(id, 'failed')));
  return ids;
}
