import { openDatabaseForCommand } from '../cli/open-database.js';
import { systemClock, type Clock } from '../clock.js';
import type { ResolvedConfig } from '../config/load.js';
import { createCronEntries } from '../cron/cron-entries.js';
import { createCronRepository } from '../db/cron.repository.js';
import type { Orm } from '../db/orm.js';
import { createQueueStateRepository } from '../db/queue-state.repository.js';
import { createSchedulerRegistry } from '../db/scheduler-registry.repository.js';
import { keyNotFound } from '../db/task-keys.repository.js';
import { createTaskRepository, notFound, type TaskFilter } from '../db/task.repository.js';
import { waitingReasonOf } from '../explain/explain-task.js';
import { UUID_PATTERN } from '../ids.js';
import type { Logger } from '../logger.js';
import { queueNotFound, validationError } from '../recorder/errors.js';
import { findJsonProblem } from '../rules/json-safety.js';
import { toNewTask } from '../recorder/new-task.js';
import { findTaskResult } from '../db/task-result.repository.js';
import {
  cronEntryNotFound,
  isCronName,
  renderCronEntry,
  renderCronRun,
  renderCronTrigger,
} from '../recorder/cron-view.js';
import { renderTask } from '../recorder/render.js';
import { parseInput } from '../recorder/parse-input.js';
import { describeQueues } from '../recorder/queue-view.js';
import { renderScheduler } from '../recorder/scheduler-view.js';
import { queueTaskRules, taskInputSchema } from '../recorder/schemas/task-input.schema.js';
import { loadQueueRetrySource } from '../recorder/queue-retry-source.js';
import { CRON_SHOW_RUNS, type OperatorBackend, type TaskFilterInput } from './backend.js';

/**
 * The operator's backend on the database of --config. It goes through the same repositories, the
 * same task machine and the same validation and rendering as the recorder, so a command gives the
 * same answer (and the same refusals) as it would through `--url`.
 */
const BULK_BATCH = 500;

export async function openDatabaseBackend(
  config: ResolvedConfig,
  logger: Logger,
  clock: Clock = systemClock,
): Promise<OperatorBackend> {
  const db = await openDatabaseForCommand(
    { ...config, database: { ...config.database, poolSize: Math.min(config.database.poolSize, 4) } },
    logger,
  );
  return createDatabaseBackend(db, config, clock);
}

export function createDatabaseBackend(db: Orm, config: ResolvedConfig, clock: Clock = systemClock): OperatorBackend {
  const tasks = createTaskRepository(db, clock);
  const queueStates = createQueueStateRepository(db, clock);
  const schedulers = createSchedulerRegistry(db, clock);
  const cron = createCronEntries({ cron: createCronRepository(db), clock });
  /** The recorder's refusal of a name no entry can have, before any query (as --url mode does). */
  const cronName = (name: string) => {
    if (!isCronName(name)) throw cronEntryNotFound(name);
    return name;
  };

  const requireQueue = (name: string) => {
    if (!Object.hasOwn(config.queues, name)) throw queueNotFound(name);
    return config.queues[name];
  };
  const toFilter = (input: TaskFilterInput): TaskFilter => {
    if (input.queue !== undefined) requireQueue(input.queue);
    return {
      queue: input.queue,
      states: input.states,
      since: input.since,
      until: input.until,
      pathPrefix: input.path,
      search: input.search,
    };
  };
  const findTask = async (id: string) => {
    const lower = id.toLowerCase();
    const task = UUID_PATTERN.test(lower) ? await tasks.findTask(lower) : null;
    if (!task) throw notFound(id.slice(0, 64));
    return task;
  };

  return {
    mode: 'database',

    async listTasks(input) {
      // The basic view and the recorder's scan bounds, as `--url` mode gets them from GET /v1/tasks.
      const { maxScanRows, readTimeout } = config.recorder;
      const page = await tasks.listTasks({
        ...toFilter(input),
        limit: input.limit,
        cursor: input.cursor,
        maxScanRows,
        timeoutMs: readTimeout,
      });
      return {
        tasks: page.tasks.map((task) => renderTask(task, { view: 'basic', config })),
        nextCursor: page.nextCursor,
      };
    },

    async showTask(id) {
      const task = await findTask(id);
      const [attempts, waiting, result] = await Promise.all([
        tasks.findAttempts(task.id),
        waitingReasonOf(db, config, task, clock),
        findTaskResult(db, task.id),
      ]);
      return renderTask(task, { attempts, waiting, config, result });
    },

    async actOnTask(id, action) {
      const task = await findTask(id);
      return renderTask(await tasks.applyEvent(task.id, { type: action }), { config });
    },

    async cancelByKey(queue, key) {
      const task = await tasks.findByKey(queue, key);
      if (!task) throw keyNotFound(queue, key);
      return renderTask(await tasks.applyEvent(task.id, { type: 'cancel' }), { config });
    },

    countRetryable: (filter) => tasks.countTasks(toFilter(filter)),

    async retryMatching(filter, onProgress) {
      const where = toFilter(filter);
      const matched = await tasks.countTasks(where);
      const retried =
        matched === 0 ? 0 : await tasks.retryMatching(where, { batchSize: BULK_BATCH, onBatch: onProgress });
      return { matched, retried };
    },

    listQueues: () =>
      describeQueues({ tasks, queueStates, schedulers }, config, Object.keys(config.queues), clock.now()),

    async setPaused(queue, paused) {
      requireQueue(queue);
      await queueStates.setPaused(queue, paused);
      const [view] = await describeQueues({ tasks, queueStates, schedulers }, config, [queue], clock.now());
      return view;
    },

    async purgeQueue(queue) {
      requireQueue(queue);
      return { queue, purged: await tasks.purgeQueue(queue) };
    },

    async enqueue(queue, input) {
      const queueConfig = requireQueue(queue);
      const problem = findJsonProblem(input);
      if (problem) throw validationError([problem]);
      const retry = await loadQueueRetrySource(queueConfig.retry, config.source.dir);
      const rules = queueTaskRules(queueConfig, config.scheduler.leaseDuration, () => clock.now().getTime(), retry);
      rules.queueTarget = (callee) => config.queues[callee]?.target;
      const schema = taskInputSchema(rules);
      const task = toNewTask(
        parseInput(schema, input),
        queue,
        queueConfig.target,
        clock.now(),
        null,
        queueConfig.defaultPriority,
      );
      const [result] = await tasks.insertTasks([task]);
      return { task: renderTask(result.task, { config }), deduplicated: result.deduplicated };
    },

    async listSchedulers() {
      const statuses = await schedulers.listStatus(config.scheduler.heartbeatInterval);
      return statuses.map((status) => renderScheduler(status));
    },

    listCron: async () => (await cron.list()).map(renderCronEntry),

    async showCron(name) {
      const entry = await cron.get(cronName(name));
      return { entry: renderCronEntry(entry), runs: (await cron.runs(name, CRON_SHOW_RUNS)).map(renderCronRun) };
    },

    async triggerCron(name) {
      return renderCronTrigger(name, await cron.trigger(cronName(name)));
    },

    setCronPaused: async (name, paused) => renderCronEntry(await cron.setPaused(cronName(name), paused)),

    close: () => db.close(),
  };
}
