import { keyNotFound } from '../../db/task-keys.repository.js';
import { textProblem } from '../../rules/json-safety.js';
import { MAX_KEY_LENGTH } from '../../rules/task-fields.js';
import type { TaskRecord } from '../../task.js';
import type { RecorderContext, RecorderDeps } from '../context.js';
import { renderTask } from '../render.js';
import { problemResource, taskResource } from '../schemas/resource.schema.js';
import { resolveQueue, sendJson, type RouteSpec } from './route.js';

/**
 * A task found by its key (docs/spec.md 11.2): the unfinished task of the queue holding it, as
 * BullMQ's getJob(jobId) and Cloud Tasks' task names let users address a task by their own name.
 * A finished task that still reserves its key (keyRetention) is not answered: it can be neither
 * found nor cancelled as "the" task for the key any more; GET /v1/tasks/{id} reads it.
 *
 * The cancel is the task cancel's (the repository's applyEvent), so it answers exactly what
 * POST /v1/tasks/{id}/cancel does, for a waiting task and a running one alike.
 */
const notFound = {
  description: 'Unknown queue, or no unfinished task of the queue holds the key.',
  schema: problemResource,
};

export function keyRoutes(deps: RecorderDeps): RouteSpec[] {
  async function loadHolder(ctx: RecorderContext): Promise<TaskRecord> {
    const { name } = resolveQueue(ctx, deps);
    const key = ctx.params.key;
    // A key no create could have stored (too long, a NUL, a lone surrogate) has no holder: answered
    // here, since PostgreSQL refuses such text outright and that would be a 500 for a client's mistake.
    if (key.length > MAX_KEY_LENGTH || textProblem(key) !== null) throw keyNotFound(name, key);
    const stores = await deps.stores();
    const task = await stores.tasks.findByKey(name, key);
    if (!task) throw keyNotFound(name, key);
    return task;
  }

  return [
    {
      method: 'GET',
      path: '/v1/queues/:queue/keys/:key',
      permission: 'read',
      operationId: 'getTaskByKey',
      summary: 'The unfinished task of the queue that holds a key (URL-encode the key)',
      responses: {
        200: { description: 'The task, in the full view.', schema: taskResource },
        404: notFound,
      },
      async handle(ctx) {
        const task = await loadHolder(ctx);
        sendJson(ctx, 200, renderTask(task, { config: deps.config }));
      },
    },
    {
      method: 'POST',
      path: '/v1/queues/:queue/keys/:key/cancel',
      permission: 'admin',
      operationId: 'cancelTaskByKey',
      summary: 'Cancel the unfinished task that holds a key, as POST /v1/tasks/{id}/cancel does',
      responses: {
        200: { description: 'The task after the change.', schema: taskResource },
        404: notFound,
        409: {
          description: 'The task is in a state that does not allow this; `detail` names it.',
          schema: problemResource,
        },
      },
      async handle(ctx) {
        const task = await loadHolder(ctx);
        const stores = await deps.stores();
        sendJson(
          ctx,
          200,
          renderTask(await stores.tasks.applyEvent(task.id, { type: 'cancel' }), { config: deps.config }),
        );
      },
    },
  ];
}
