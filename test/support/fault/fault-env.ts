import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ConfigInput } from '../../../src/config/schema.js';
import { migrate } from '../../../src/db/migrate.js';
import { initOrm, type Orm } from '../../../src/db/orm.js';
import { createTaskRepository, type TaskRepository } from '../../../src/db/task.repository.js';
import type { NewTask, TaskState } from '../../../src/task.js';
import { newTask } from '../new-task.js';
import { createTestSchema, TEST_PG_URL } from '../postgres.js';
import { spawnScheduler, type SchedulerProcess, type SpawnOptions } from './scheduler-process.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';

/**
 * One fault scenario's world: its own PostgreSQL schema (migrated), a TCP proxy in front of the
 * shared server that only this scenario's processes go through, an observer connection that goes
 * around the proxy (so the test can read the truth while Dispatchr's path is cut), a temp folder
 * for configs and process logs, and the child processes it started (killed at cleanup, by handle).
 *
 * Backends are told apart from every other test's by PGAPPNAME (children only) and by the proxy's
 * upstream ports (`pg_stat_activity.client_port`); `terminateBackends` never touches anything else.
 */
export interface FaultEnv {
  schema: string;
  /** Straight to PostgreSQL, for the observer. */
  directUrl: string;
  /** Through the proxy: what Dispatchr's processes use. */
  proxyUrl: string;
  proxy: TcpProxy;
  db: Orm;
  tasks: TaskRepository;
  dir: string;
  /** application_name of this scenario's child processes. */
  appName: string;
  /** Writes a config file (JSON is YAML) with the database URL filled in; answers its path. */
  writeConfig(name: string, input: ConfigInput, options?: { direct?: boolean; url?: string }): string;
  spawn(options: Omit<SpawnOptions, 'logDir'>): SchedulerProcess;
  /** Inserts `count` due tasks into `queue`, in chunks; answers their ids. */
  insertTasks(queue: string, count: number, overrides?: Partial<NewTask>): Promise<string[]>;
  counts(): Promise<Record<string, number>>;
  snapshot(): Promise<TaskRow[]>;
  attempts(): Promise<AttemptRow[]>;
  /** Ids of running tasks leased to `owner`. */
  runningOwnedBy(owner: string): Promise<string[]>;
  /** pg_terminate_backend on this scenario's backends only; answers how many were terminated. */
  terminateBackends(filter?: { via?: 'proxy' | 'app'; queryLike?: string }): Promise<number>;
  cleanup(): Promise<void>;
}

export interface TaskRow {
  id: string;
  queue: string;
  state: TaskState;
  attempt: number;
  leaseOwner: string | null;
  attemptedAt: Date | null;
  updatedAt: Date;
}

export interface AttemptRow {
  taskId: string;
  number: number;
  outcome: string;
  status: number | null;
  startedAt: Date;
  finishedAt: Date | null;
}

export async function createFaultEnv(prefix: string): Promise<FaultEnv> {
  const created = await createTestSchema(prefix);
  const pgUrl = new URL(TEST_PG_URL);
  const proxy = await startTcpProxy({ host: pgUrl.hostname, port: Number(pgUrl.port || 5432) });
  const db = await initOrm({ url: created.url, poolSize: 4 });
  await migrate(db);
  const dir = mkdtempSync(path.join(tmpdir(), `dispatchr-${prefix}-`));
  const appName = `dispatchr_fault_${created.schema}`;
  const children: SchedulerProcess[] = [];
  const tasks = createTaskRepository(db);
  const proxyUrl = proxy.rewrite(created.url);

  const env: FaultEnv = {
    schema: created.schema,
    directUrl: created.url,
    proxyUrl,
    proxy,
    db,
    tasks,
    dir,
    appName,
    writeConfig(name, input, options = {}) {
      const file = path.join(dir, `${name}.yml`);
      const config = {
        ...input,
        database: { poolSize: 5, ...input.database, url: options.url ?? (options.direct ? created.url : proxyUrl) },
      };
      writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
      return file;
    },
    spawn(options) {
      const child = spawnScheduler({ ...options, logDir: dir, env: { PGAPPNAME: appName, ...options.env } });
      children.push(child);
      return child;
    },
    async insertTasks(queue, count, overrides = {}) {
      const ids: string[] = [];
      const chunk = 500;
      for (let start = 0; start < count; start += chunk) {
        const list: NewTask[] = [];
        for (let i = start; i < Math.min(count, start + chunk); i++) {
          list.push(
            newTask(queue, {
              path: `/t/${i}`,
              body: Buffer.from(`{"n":${i}}`),
              contentType: 'application/json',
              ...overrides,
            }),
          );
        }
        const results = await tasks.insertTasks(list);
        for (const result of results) ids.push(result.task.id);
      }
      return ids;
    },
    async counts() {
      const rows = await db.sql.query<{ state: string; n: string }>(
        'select state, count(*) as n from dispatchr_task group by state',
      );
      return Object.fromEntries(rows.map((row) => [row.state, Number(row.n)]));
    },
    async snapshot() {
      const rows = await db.sql.query<Record<string, unknown>>(
        'select id, queue, state, attempt, lease_owner, attempted_at, updated_at from dispatchr_task',
      );
      return rows.map((row) => ({
        id: String(row.id),
        queue: String(row.queue),
        state: row.state as TaskState,
        attempt: Number(row.attempt),
        leaseOwner: row.lease_owner === null ? null : String(row.lease_owner),
        attemptedAt: row.attempted_at === null ? null : new Date(row.attempted_at as Date),
        updatedAt: new Date(row.updated_at as Date),
      }));
    },
    async attempts() {
      const rows = await db.sql.query<Record<string, unknown>>(
        'select task_id, number, outcome, status, started_at, finished_at from dispatchr_attempt_history order by started_at, task_id, seq',
      );
      return rows.map((row) => ({
        taskId: String(row.task_id),
        number: Number(row.number),
        outcome: String(row.outcome),
        status: row.status === null ? null : Number(row.status),
        startedAt: new Date(row.started_at as Date),
        finishedAt: row.finished_at === null ? null : new Date(row.finished_at as Date),
      }));
    },
    async runningOwnedBy(owner) {
      const rows = await db.sql.query<{ id: string }>(
        `select id from dispatchr_task where state = 'running' and lease_owner = $1`,
        [owner],
      );
      return rows.map((row) => String(row.id));
    },
    async terminateBackends(filter = {}) {
      const via = filter.via ?? 'proxy';
      const ports = proxy.upstreamPorts();
      if (via === 'proxy' && ports.length === 0) return 0;
      const params: unknown[] = [via === 'proxy' ? ports : appName];
      let where =
        via === 'proxy'
          ? `client_port = any($1::int[]) and client_addr in ('127.0.0.1', '::1')`
          : 'application_name = $1';
      if (filter.queryLike) {
        params.push(filter.queryLike);
        where += ` and query ilike $${params.length}`;
      }
      const rows = await db.sql.query<{ pid: number }>(
        `select pid, pg_terminate_backend(pid) as done from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and ${where}`,
        params,
      );
      return rows.length;
    },
    async cleanup() {
      for (const child of children) if (child.alive) child.kill('SIGKILL');
      await Promise.all(children.map((child) => child.exited));
      await proxy.close();
      await db.close().catch(() => undefined);
      await created.drop().catch(() => undefined);
      if (!process.env.DISPATCHR_FAULT_KEEP) rmSync(dir, { recursive: true, force: true });
      else console.log(`[fault] kept ${dir}`);
    },
  };
  return env;
}

/** Polls until `probe` answers truthy; throws naming `what` after `timeoutMs`. */
export async function until<T>(
  probe: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  timeoutMs: number,
  what: string,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** One line per scenario that a reader of the test output sees. */
export function printFigures(scenario: string, figures: Record<string, unknown>): void {
  const parts = Object.entries(figures).map(
    ([key, value]) => `${key} ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`,
  );
  console.log(`[fault] ${scenario}: ${parts.join('; ')}`);
}
