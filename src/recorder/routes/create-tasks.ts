import type { QueueConfig } from '../../config/schema.js';
import type { CreateResult } from '../../db/task.repository.js';
import { requireQueueAccess } from '../auth.js';
import { readJsonBody } from '../body.js';
import type { RecorderContext, RecorderDeps } from '../context.js';
import { createIdempotently, readIdempotencyKey, type CreateResponse, type FirstAnswer } from '../idempotency.js';
import { toNewTask, validTraceparent } from '../new-task.js';
import { renderTask } from '../render.js';
import { batchResponse, problemResource, taskResource } from '../schemas/resource.schema.js';
import { batchInputSchema, queueTaskRules, taskInputSchema, type TaskRules } from '../schemas/task-input.schema.js';
import { mountPrefix, resolveQueue, type ResponseSpec, type RouteSpec } from './route.js';
import { parseInput } from '../parse-input.js';
import { plainTasks } from '../plain-tasks.js';
import { loadQueueRetrySource } from '../queue-retry-source.js';

/**
 * POST /v1/queues/:queue/tasks and /tasks/batch. Answers only after the commit. A single create goes
 * through the create batcher (shared transactions); a create with an Idempotency-Key runs in its own
 * transaction, because its stored response must commit with exactly its own tasks.
 */
const DOC_RULES: TaskRules = { target: 'https://example.com/tasks', leaseMs: 120_000, now: Date.now };

const COMMON_ERRORS: Record<number, ResponseSpec> = {
  400: { description: 'Invalid JSON or fields; `errors` lists each field path.', schema: problemResource },
  404: { description: 'Unknown queue.', schema: problemResource },
  413: { description: 'Body larger than recorder.maxBodySize.', schema: problemResource },
  415: { description: 'Content-Type is not JSON.', schema: problemResource },
  409: {
    description:
      'Another request took the Idempotency-Key while this one ran, and its answer cannot be replayed; nothing was written, retry.',
    schema: problemResource,
  },
  422: { description: 'Idempotency-Key reused with a different request.', schema: problemResource },
};

export function createTaskRoutes(deps: RecorderDeps): RouteSpec[] {
  const schemas = new Map<
    string,
    Promise<{ single: ReturnType<typeof taskInputSchema>; batch: ReturnType<typeof batchInputSchema> }>
  >();
  // Built on a queue's first create: its retry strategy (a plugin, perhaps) is loaded then, so a
  // task's own retry options are checked by the schema the scheduler will use (spec 11.3).
  const schemasFor = (name: string, queue: QueueConfig) => {
    let entry = schemas.get(name);
    if (!entry) {
      entry = loadQueueRetrySource(queue.retry, deps.config.source.dir).then((retry) => {
        const now = () => deps.clock.now().getTime();
        const rules = queueTaskRules(queue, deps.config.scheduler.leaseDuration, now, retry);
        rules.queueTarget = (callee) => deps.config.queues[callee]?.target;
        return { single: taskInputSchema(rules), batch: batchInputSchema(rules) };
      });
      schemas.set(name, entry);
    }
    return entry;
  };

  /** Reads, validates and converts; nothing touches the database before this has passed. */
  async function readTasks(ctx: RecorderContext, kind: 'single' | 'batch') {
    const { name, queue } = resolveQueue(ctx, deps);
    const { value, raw } = await readJsonBody(ctx, deps.config.recorder.maxBodySize);
    const now = deps.clock.now();
    const traceparent = validTraceparent(ctx.get('traceparent'));
    const schema = await schemasFor(name, queue);
    // The common `{ path, body }` shape is recognized without the schema; any other goes through it.
    const inputs =
      plainTasks(value, kind, queue.target) ??
      (kind === 'single' ? [parseInput(schema.single, value)] : parseInput(schema.batch, value).tasks);
    const tasks = inputs.map((input) => toNewTask(input, name, queue.target, now, traceparent, queue.defaultPriority));
    // A callback task is a task of its queue (spec 11.5): a token scoped to some queues may not
    // have one sent, signed with another queue's secret, through a task of its own queue.
    for (const task of tasks)
      for (const target of [task.onComplete, task.onFailure])
        if (target) requireQueueAccess(ctx.state.principal, target.queue);
    const idempotency = readIdempotencyKey(ctx, `${ctx.state.principal.id}|${name}`, kind, raw);
    return { tasks, idempotency };
  }

  function send(ctx: RecorderContext, response: CreateResponse, location: string | null): void {
    if (response.replayed) ctx.set('Idempotent-Replayed', 'true');
    if (response.status === 200)
      ctx.set('Dispatchr-Deduplicated', response.deduplicated || storedOutcome(response.body));
    if (location) ctx.set('Location', location);
    ctx.status = response.status;
    ctx.type = 'application/json';
    ctx.body = response.body;
  }

  // replayBody: what an Idempotency-Key record keeps and a replay answers, the basic view (docs/spec.md 4.4).
  // A 200's stored body says what the create did, so a replay's Dispatchr-Deduplicated can too.
  const single = (result: CreateResult): FirstAnswer => ({
    status: result.deduplicated ? 200 : 201,
    body: JSON.stringify(renderTask(result.task, { config: deps.config })),
    replayBody: () =>
      JSON.stringify(
        Object.assign(
          renderTask(result.task, { view: 'basic', config: deps.config }),
          result.deduplicated ? { deduplicated: result.deduplicated } : {},
        ),
      ),
    deduplicated: result.deduplicated,
  });
  const batch = (results: CreateResult[]): FirstAnswer => {
    // The basic view (docs/spec.md 4.7): a thousand tasks' headers and bodies would echo the request back.
    const body = JSON.stringify({
      tasks: results.map((result) =>
        Object.assign(renderTask(result.task, { view: 'basic', config: deps.config }), {
          deduplicated: result.deduplicated,
        }),
      ),
    });
    return { status: 201, body, replayBody: () => body };
  };

  async function create(
    ctx: RecorderContext,
    kind: 'single' | 'batch',
    respond: (results: CreateResult[]) => FirstAnswer,
  ) {
    const { tasks, idempotency } = await readTasks(ctx, kind);
    const stores = await deps.stores();
    let response: CreateResponse;
    let id: string | undefined;
    if (idempotency) {
      let created: CreateResult[] = [];
      response = await createIdempotently(stores, idempotency, tasks, (results) => {
        created = results;
        return respond(results);
      });
      if (!response.replayed) countEnqueued(created); // a replay (or a lost race for the key) created nothing
      // A replay has only the stored text (small: no task body); a first answer has its task.
      if (kind === 'single')
        id = response.replayed ? (JSON.parse(response.body) as { id?: string }).id : created[0]?.task.id;
    } else {
      const results =
        kind === 'single' ? [await stores.creates.create(tasks[0])] : await stores.tasks.insertTasks(tasks);
      countEnqueued(results);
      const { status, body, deduplicated } = respond(results);
      response = { status, body, replayed: false, deduplicated };
      if (kind === 'single') id = results[0].task.id;
    }
    send(ctx, response, id ? `${mountPrefix(ctx)}/v1/tasks/${id}` : null);
  }

  /** dispatchr_tasks_enqueued_total counts tasks made, after the commit; de-duplicated creates made none. */
  function countEnqueued(results: readonly CreateResult[]): void {
    // One inc per queue, not per task: a labelled inc hashes its labels every call.
    const made = new Map<string, number>();
    for (const result of results)
      if (!result.deduplicated) made.set(result.task.queue, (made.get(result.task.queue) ?? 0) + 1);
    for (const [queue, count] of made) deps.metrics.enqueued.inc({ queue }, count);
  }

  const idempotencyHeader = {
    'Idempotent-Replayed': '"true" when this is the stored first response to the Idempotency-Key.',
  };
  return [
    {
      method: 'POST',
      path: '/v1/queues/:queue/tasks',
      permission: 'enqueue',
      operationId: 'createTask',
      summary: 'Create a task',
      body: taskInputSchema(DOC_RULES),
      idempotent: true,
      responses: {
        201: {
          description: 'Created: `available` when due now, else `scheduled`.',
          schema: taskResource,
          headers: { Location: 'The task URL.', ...idempotencyHeader },
        },
        200: {
          description:
            'A task of the queue already holds `key` (unfinished, or finished within its keyRetention): that task, kept, replaced or debounced by `keyMode`.',
          schema: taskResource,
          headers: { 'Dispatchr-Deduplicated': '"kept", "replaced" or "debounced"', ...idempotencyHeader },
        },
        ...COMMON_ERRORS,
      },
      handle: (ctx) => create(ctx, 'single', ([result]) => single(result)),
    },
    {
      method: 'POST',
      path: '/v1/queues/:queue/tasks/batch',
      permission: 'enqueue',
      operationId: 'createTasks',
      summary: 'Create up to 1,000 tasks, all or nothing',
      body: batchInputSchema(DOC_RULES),
      idempotent: true,
      responses: {
        201: {
          description: 'All created (or de-duplicated), in request order.',
          schema: batchResponse,
          headers: idempotencyHeader,
        },
        ...COMMON_ERRORS,
      },
      handle: (ctx) => create(ctx, 'batch', batch),
    },
  ];
}

/** A replayed 200's Dispatchr-Deduplicated, from its stored body; records stored before key modes were keep. */
function storedOutcome(body: string): string {
  try {
    const { deduplicated } = JSON.parse(body) as { deduplicated?: unknown };
    return typeof deduplicated === 'string' ? deduplicated : 'kept';
  } catch {
    return 'kept';
  }
}
