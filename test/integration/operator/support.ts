import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import type { ConfigInput } from '../../../src/config/schema.js';
import { createDispatchRepository } from '../../../src/db/dispatch.repository.js';
import type { Orm } from '../../../src/db/orm.js';
import { createTaskRepository, type TaskRepository } from '../../../src/db/task.repository.js';
import type { NewTask, TaskRecord, TaskState } from '../../../src/task.js';
import { runCli, type CliResult } from '../../support/cli.js';
import { createTestDatabase, type DriverName, type TestDatabase } from '../../support/databases.js';
import { newTask } from '../../support/new-task.js';

/**
 * A fresh database (SQLite file or PostgreSQL schema) with a config file pointing at it, for
 * running the real CLI as a child process. Tasks are seeded through the repositories, and put into
 * states the API cannot reach by itself (failed, retryable) the way a scheduler would: claim, then
 * settle.
 */
export const OPERATOR_QUEUES: NonNullable<ConfigInput['queues']> = {
  emails: { target: 'http://127.0.0.1:9/tasks', allowPrivateNetwork: true, rateLimit: { perSecond: 10 } },
  reports: { target: 'http://127.0.0.1:9/reports', allowPrivateNetwork: true, maxConcurrent: 5 },
};

export interface OperatorEnv {
  db: Orm;
  testDb: TestDatabase;
  tasks: TaskRepository;
  configFile: string;
  dir: string;
  /** Runs `dispatchr <args> --config <file>`. */
  cli(args: string[], options?: { env?: NodeJS.ProcessEnv }): Promise<CliResult>;
  seed(queue: string, overrides?: Partial<NewTask>): Promise<TaskRecord>;
  /** Claims the task and settles it into `state` with a status, as the scheduler would. */
  settle(
    task: TaskRecord,
    state: Extract<TaskState, 'failed' | 'retryable' | 'completed'>,
    status: number,
    runAt?: Date,
  ): Promise<void>;
  stateOf(id: string): Promise<TaskState | undefined>;
  cleanup(): Promise<void>;
}

export async function startOperatorEnv(driver: DriverName, input: ConfigInput = {}): Promise<OperatorEnv> {
  const testDb = await createTestDatabase(driver);
  const db = await testDb.openMigrated();
  const dir = mkdtempSync(path.join(tmpdir(), 'dispatchr-operator-'));
  const configFile = path.join(dir, 'dispatchr.yml');
  writeFileSync(
    configFile,
    stringify({ ...input, database: { url: testDb.url }, queues: input.queues ?? OPERATOR_QUEUES }),
  );
  const tasks = createTaskRepository(db);
  const dispatch = createDispatchRepository(db);
  return {
    db,
    testDb,
    tasks,
    configFile,
    dir,
    cli: (args, options = {}) =>
      runCli([...args, '--config', configFile], { env: { DISPATCHR_URL: '', ...options.env } }),
    async seed(queue, overrides = {}) {
      const [result] = await tasks.insertTasks([
        newTask(queue, { path: '/work', body: Buffer.from('{}'), contentType: 'application/json', ...overrides }),
      ]);
      return result.task;
    },
    async settle(task, state, status, runAt) {
      // Put this task first in claim order (run_at, id), then claim exactly one: bystanders stay untouched.
      const p = driver === 'postgresql' ? ['$1', '$2'] : ['?', '?'];
      await db.sql.execute(`update dispatchr_task set run_at = ${p[0]} where id = ${p[1]}`, [new Date(1_000), task.id]);
      const now = new Date();
      const [claimed] = await dispatch.claim({
        queue: task.queue,
        limit: 1,
        owner: 'test-scheduler',
        now,
        leaseMs: 60_000,
        maxConcurrent: 1000,
      });
      if (claimed?.id !== task.id) throw new Error(`could not claim ${task.id}`);
      const outcome = state === 'completed' ? 'completed' : state === 'failed' ? 'failed' : 'retry';
      const error = status >= 300 ? `HTTP ${status}` : null;
      await dispatch.settle(
        [
          {
            taskId: task.id,
            attempt: claimed.attempt,
            owner: 'test-scheduler',
            state,
            nextAttempt: claimed.attempt,
            runAt: runAt ?? null,
            lastStatus: status,
            lastError: error,
            record: {
              startedAt: now,
              finishedAt: new Date(),
              status,
              outcome,
              durationMs: 5,
              error,
              responseExcerpt: null,
            },
          },
        ],
        new Date(),
      );
    },
    stateOf: async (id) => (await tasks.findTask(id))?.state,
    async cleanup() {
      await testDb.cleanup();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The JSON a `--json` command printed (throws with the output when it is not JSON). */
export function json<T = any>(result: CliResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`expected JSON on stdout (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
}
