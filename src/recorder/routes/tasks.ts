import { waitingReasonOf } from '../../explain/explain-task.js';
import { findTaskResult } from '../../db/task-result.repository.js';
import type { TaskEvent } from '../../machines/task.events.js';
import type { RecorderDeps } from '../context.js';
import { renderTask } from '../render.js';
import { listQuerySchema, taskReadQuerySchema } from '../schemas/query.schema.js';
import { problemResource, taskResource } from '../schemas/resource.schema.js';
import { loadTask, resolveQueue, sendJson, sendTaskPage, taskPageResponse, type RouteSpec } from './route.js';
import { parseInput } from '../parse-input.js';

/**
 * Reading tasks, and the operator's actions on one task. Actions go through the repository's
 * `applyEvent` / `deleteTask`: the task machine decides what is legal, and a refusal is a 409 that
 * names the state the task is in.
 */
const notFound = { description: 'No such task (or not in a queue this token may use).', schema: problemResource };
const conflict = {
  description: 'The task is in a state that does not allow this; `detail` names it.',
  schema: problemResource,
};

export function taskRoutes(deps: RecorderDeps): RouteSpec[] {
  const action = (
    type: Extract<TaskEvent, { type: 'cancel' | 'retry' | 'run' }>['type'],
    summary: string,
  ): RouteSpec => ({
    method: 'POST',
    path: `/v1/tasks/:id/${type}`,
    permission: 'admin',
    operationId: `${type}Task`,
    summary,
    responses: {
      200: { description: 'The task after the change.', schema: taskResource },
      404: notFound,
      409: conflict,
    },
    async handle(ctx) {
      const stores = await deps.stores();
      const task = await loadTask(ctx, stores);
      sendJson(ctx, 200, renderTask(await stores.tasks.applyEvent(task.id, { type }), { config: deps.config }));
    },
  });

  return [
    {
      method: 'GET',
      path: '/v1/tasks/:id',
      permission: 'read',
      operationId: 'getTask',
      summary: 'A task with every attempt, and why it is waiting',
      query: taskReadQuerySchema,
      responses: {
        200: {
          description: 'The task, with `attempts` and `waiting`; in the `full` view unless `view=basic`.',
          schema: taskResource,
        },
        400: { description: 'An unknown query parameter, or a bad `view`.', schema: problemResource },
        404: notFound,
      },
      async handle(ctx) {
        const query = parseInput(taskReadQuerySchema, { ...ctx.query });
        const stores = await deps.stores();
        const task = await loadTask(ctx, stores);
        const view = query.view ?? 'full';
        const [attempts, waiting, result] = await Promise.all([
          stores.tasks.findAttempts(task.id),
          waitingReasonOf(stores.db, deps.config, task, deps.clock),
          view === 'full' ? findTaskResult(stores.db, task.id) : undefined,
        ]);
        sendJson(ctx, 200, renderTask(task, { view, attempts, waiting, config: deps.config, result }));
      },
    },
    {
      method: 'GET',
      path: '/v1/queues/:queue/tasks',
      permission: 'read',
      operationId: 'listTasks',
      summary:
        'Tasks of a queue, newest first (basic view unless view=full; a page ends early at recorder.maxPageBytes)',
      query: listQuerySchema,
      responses: {
        200: taskPageResponse,
        400: { description: 'Bad state, limit, cursor or view.', schema: problemResource },
        404: { description: 'Unknown queue.', schema: problemResource },
        503: {
          description: '`reads_busy` or `query_timeout` (docs/spec.md 4.8); carries Retry-After.',
          schema: problemResource,
        },
      },
      async handle(ctx) {
        const { name } = resolveQueue(ctx, deps);
        const query = parseInput(listQuerySchema, { ...ctx.query });
        await sendTaskPage(ctx, deps, { queue: name, state: query.state }, query);
      },
    },
    action('cancel', 'Cancel a waiting or running task (a running one: its request is cut)'),
    action(
      'retry',
      'Retry a failed or cancelled task now (history kept); a task cancelled while running: 409 lease_held until its scheduler lets go',
    ),
    action('run', 'Make a scheduled or retryable task due now'),
    {
      method: 'DELETE',
      path: '/v1/tasks/:id',
      permission: 'admin',
      operationId: 'deleteTask',
      summary: 'Delete a finished task',
      responses: { 204: { description: 'Deleted.' }, 404: notFound, 409: conflict },
      async handle(ctx) {
        const stores = await deps.stores();
        const task = await loadTask(ctx, stores);
        await stores.tasks.deleteTask(task.id);
        ctx.status = 204;
      },
    },
  ];
}
