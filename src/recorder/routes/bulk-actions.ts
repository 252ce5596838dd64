import type { z } from 'zod';
import type { TaskFilter, TaskRepository } from '../../db/task.repository.js';
import type { TaskState } from '../../task.js';
import { readJsonBody } from '../body.js';
import type { RecorderDeps } from '../context.js';
import { parseInput } from '../parse-input.js';
import { problemResource } from '../schemas/resource.schema.js';
import {
  bulkCancelBodySchema,
  bulkCancelResponse,
  bulkRetryBodySchema,
  bulkRetryResponse,
  CANCEL_STATES,
  RETRY_STATES,
} from '../schemas/search.schema.js';
import { sendJson, type RouteSpec } from './route.js';
import { scopedFilter, type FilterInput } from './scope.js';

/**
 * `POST /v1/tasks/retry` and `POST /v1/tasks/cancel`: every task a filter matches, or the tasks a
 * person picked (`ids`), moved server-side in batches, each batch one compare-and-set statement;
 * the answer counts them. `dryRun` counts and changes nothing, so a page can show the count before
 * the person confirms.
 */
const BULK_BATCH = 500;

type BulkBody = Omit<FilterInput, 'states'> & { state?: TaskState | TaskState[]; dryRun?: boolean };

interface BulkAction {
  verb: 'retry' | 'cancel';
  /** The answer's count of moved tasks. */
  done: 'retried' | 'cancelled';
  /** The states the action starts from: those acted on when the body names tasks by id only. */
  states: readonly TaskState[];
  body: z.ZodType<BulkBody>;
  response: z.ZodType;
  summary: string;
  act(tasks: TaskRepository, filter: TaskFilter): Promise<number>;
}

const ACTIONS: BulkAction[] = [
  {
    verb: 'retry',
    done: 'retried',
    states: RETRY_STATES,
    body: bulkRetryBodySchema,
    response: bulkRetryResponse,
    summary: 'Retry every failed or cancelled task a filter (or a list of ids) matches, server-side in batches',
    act: (tasks, filter) => tasks.retryMatching(filter, { batchSize: BULK_BATCH }),
  },
  {
    verb: 'cancel',
    done: 'cancelled',
    states: CANCEL_STATES,
    body: bulkCancelBodySchema,
    response: bulkCancelResponse,
    summary: 'Cancel every waiting task a filter (or a list of ids) matches, server-side in batches',
    act: (tasks, filter) => tasks.cancelMatching(filter, { batchSize: BULK_BATCH }),
  },
];

function statesOf(body: BulkBody, all: readonly TaskState[]): TaskState[] {
  if (body.state === undefined) return [...all];
  return Array.isArray(body.state) ? [...new Set(body.state)] : [body.state];
}

export function bulkActionRoutes(deps: RecorderDeps): RouteSpec[] {
  return ACTIONS.map((action): RouteSpec => ({
    method: 'POST',
    path: `/v1/tasks/${action.verb}`,
    permission: 'admin',
    operationId: `${action.verb}Tasks`,
    summary: action.summary,
    body: action.body,
    responses: {
      200: { description: `How many matched, and how many were ${action.done}.`, schema: action.response },
      400: { description: 'A bad filter or ids; `errors` names the field.', schema: problemResource },
      404: { description: '`queue` is not configured.', schema: problemResource },
    },
    async handle(ctx) {
      const { value } = await readJsonBody(ctx, deps.config.recorder.maxBodySize);
      const body = parseInput(action.body, value);
      const filter = scopedFilter(ctx, deps, { ...body, states: statesOf(body, action.states) });
      const stores = await deps.stores();
      const matched = await stores.tasks.countTasks(filter);
      const moved = body.dryRun || matched === 0 ? 0 : await action.act(stores.tasks, filter);
      if (!body.dryRun) {
        const principal = ctx.state.principal.name ?? ctx.state.principal.id;
        deps.logger.info({ principal, matched, [action.done]: moved }, `bulk ${action.verb}`);
      }
      sendJson(ctx, 200, { matched, [action.done]: moved });
    },
  }));
}
