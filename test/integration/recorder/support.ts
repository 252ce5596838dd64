import { request } from 'undici';
import type { Clock } from '../../../src/clock.js';
import { parseConfig, type ResolvedConfig } from '../../../src/config/load.js';
import type { ConfigInput } from '../../../src/config/schema.js';
import type { Orm } from '../../../src/db/orm.js';
import { silentLogger } from '../../../src/logger.js';
import { createTaskRepository, type TaskRepository } from '../../../src/db/task.repository.js';
import { startRecorderServer, type RecorderServer } from '../../../src/recorder/server.js';
import { createTestDatabase, type DriverName, type TestDatabase } from '../../support/databases.js';

/**
 * A real recorder on 127.0.0.1:0 over a fresh database (SQLite file or PostgreSQL schema), and a
 * small client for it. Tests talk HTTP only; the repository is there to count rows and to put
 * tasks into states the API cannot (running, failed).
 */
export const TOKEN = 'test-token-0123456789abcdef';

export const QUEUES: ConfigInput['queues'] = {
  emails: { target: 'http://127.0.0.1:9/tasks', allowPrivateNetwork: true },
  reports: { target: 'http://127.0.0.1:9/reports/', allowPrivateNetwork: true },
};

export interface Reply {
  status: number;
  headers: Record<string, string>;
  text: string;
  // Responses are JSON of many shapes; tests read fields they assert on.
  body: any;
}

export interface CallOptions {
  body?: unknown;
  /** Sent as is (no JSON encoding). */
  raw?: string | Buffer;
  headers?: Record<string, string>;
  token?: string | null;
  /** Fails the call when the answer's headers take longer (default 10 s). */
  timeoutMs?: number;
}

export interface TestRecorder {
  url: string;
  db: Orm;
  tasks: TaskRepository;
  config: ResolvedConfig;
  server: RecorderServer;
  call(method: string, path: string, options?: CallOptions): Promise<Reply>;
  count(queue?: string): Promise<number>;
  close(): Promise<void>;
}

export async function startTestRecorder(
  driver: DriverName,
  input: ConfigInput = {},
  options: { clock?: Clock; defaultToken?: string | null } = {},
): Promise<TestRecorder> {
  const testDb: TestDatabase = await createTestDatabase(driver);
  const db = await testDb.openMigrated();
  const config = parseConfig({
    ...input,
    database: { url: testDb.url },
    recorder: { host: '127.0.0.1', port: 0, ...input.recorder },
    queues: input.queues ?? QUEUES,
  });
  // A silent logger: an open test recorder need not print the open-API warning (open-warning.test.ts checks it).
  const server = await startRecorderServer(config, { db, clock: options.clock, logger: silentLogger });
  const tasks = createTaskRepository(db, options.clock);
  const defaultToken = options.defaultToken === undefined ? null : options.defaultToken;
  return {
    url: server.url,
    db,
    tasks,
    config,
    server,
    call: (method, path, callOptions = {}) => call(server.url, method, path, { token: defaultToken, ...callOptions }),
    count: (queue) => tasks.countTasks(queue === undefined ? {} : { queue }),
    async close() {
      await server.close();
      await testDb.cleanup();
    },
  };
}

export async function call(baseUrl: string, method: string, path: string, options: CallOptions = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  let body: string | Buffer | undefined = options.raw;
  if (options.body !== undefined) body = JSON.stringify(options.body);
  // Like every client of ours: JSON whenever there is a body, and on every POST (spec 4.1), unless
  // the test sets its own Content-Type.
  if (
    (body !== undefined || method === 'POST') &&
    !Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')
  ) {
    headers['content-type'] = 'application/json';
  }
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const response = await request(`${baseUrl}${path}`, {
    method: method as 'GET',
    headers,
    body,
    headersTimeout: options.timeoutMs ?? 10_000,
  });
  const text = await response.body.text();
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers))
    flat[name] = Array.isArray(value) ? value.join(', ') : String(value);
  let parsed: unknown = undefined;
  if (/json/.test(flat['content-type'] ?? '') && text !== '') parsed = JSON.parse(text); // HEAD answers carry no body
  return { status: response.statusCode, headers: flat, text, body: parsed };
}
