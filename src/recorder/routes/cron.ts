import { CRON_NAME_RULE, cronDefinitionSchema } from '../../cron/cron-definition.js';
import { createCronEntries, type CronEntryView } from '../../cron/cron-entries.js';
import { checkCronDefinition } from '../../cron/cron-queue-check.js';
import { createCronRepository } from '../../db/cron.repository.js';
import { isDispatchrError } from '../../errors.js';
import { joinPath } from '../../rules/json-safety.js';
import { canAccessQueue, requireQueueAccess } from '../auth.js';
import { readJsonBody } from '../body.js';
import type { RecorderContext, RecorderDeps } from '../context.js';
import { cronEntryNotFound, isCronName, renderCronEntry, renderCronRun, renderCronTrigger } from '../cron-view.js';
import { forbidden, validationError } from '../errors.js';
import { parseInput } from '../parse-input.js';
import {
  cronEntryListResponse,
  cronEntryResource,
  cronRunListResponse,
  cronRunsQuerySchema,
  cronTriggerResponse,
  DEFAULT_CRON_RUNS,
} from '../schemas/cron.schema.js';
import { problemResource } from '../schemas/resource.schema.js';
import { mountPrefix, sendJson, type ResponseSpec, type RouteSpec } from './route.js';

/**
 * Recurring tasks (docs/spec.md, "Cron"): read every entry, define API entries, and pause, resume or
 * trigger any entry. Config entries change only in dispatchr.yml (409 here). A token scoped to some
 * queues sees only entries of those queues; others answer 404 exactly like an absent entry.
 */
const notFound: ResponseSpec = {
  description: 'No such entry (or not in a queue this token may use).',
  schema: problemResource,
};
const fromConfig: ResponseSpec = {
  description: '`cron_entry_from_config`: the entry is defined in dispatchr.yml; change it there.',
  schema: problemResource,
};

export function cronRoutes(deps: RecorderDeps): RouteSpec[] {
  const entriesOf = async () => {
    const stores = await deps.stores();
    return createCronEntries({ cron: createCronRepository(stores.db), clock: deps.clock });
  };

  /** The entry named in the path, if this token may see it; else the 404 of an absent one. */
  async function visibleEntry(ctx: RecorderContext): Promise<CronEntryView> {
    const name = ctx.params.name;
    if (!isCronName(name)) throw cronEntryNotFound(name);
    const entry = await (await entriesOf()).get(name);
    if (!canAccessQueue(ctx.state.principal, entry.definition.queue)) throw cronEntryNotFound(name);
    return entry;
  }

  const setPaused = (paused: boolean): RouteSpec => ({
    method: 'POST',
    path: `/v1/cron/:name/${paused ? 'pause' : 'resume'}`,
    permission: 'admin',
    operationId: paused ? 'pauseCronEntry' : 'resumeCronEntry',
    summary: paused
      ? 'Stop firing the entry (fire times pass unfired until it is resumed)'
      : 'Fire the entry again, from the next fire time after now (missed ones are not caught up)',
    responses: { 200: { description: 'The entry after the change.', schema: cronEntryResource }, 404: notFound },
    async handle(ctx) {
      const { name } = await visibleEntry(ctx);
      sendJson(ctx, 200, renderCronEntry(await (await entriesOf()).setPaused(name, paused)));
    },
  });

  return [
    {
      method: 'GET',
      path: '/v1/cron',
      permission: 'read',
      operationId: 'listCronEntries',
      summary: 'Every cron entry, from the config and from the API, with its next fire times',
      responses: { 200: { description: 'The entries this token may see.', schema: cronEntryListResponse } },
      async handle(ctx) {
        const entries = await (await entriesOf()).list();
        const visible = entries.filter((entry) => canAccessQueue(ctx.state.principal, entry.definition.queue));
        sendJson(ctx, 200, { entries: visible.map(renderCronEntry) });
      },
    },
    {
      method: 'GET',
      path: '/v1/cron/:name',
      permission: 'read',
      operationId: 'getCronEntry',
      summary: 'One cron entry',
      responses: { 200: { description: 'The entry.', schema: cronEntryResource }, 404: notFound },
      async handle(ctx) {
        sendJson(ctx, 200, renderCronEntry(await visibleEntry(ctx)));
      },
    },
    {
      method: 'GET',
      path: '/v1/cron/:name/runs',
      permission: 'read',
      operationId: 'listCronRuns',
      summary: 'The runs of an entry, newest first: the tasks it created and the fire times it skipped',
      query: cronRunsQuerySchema,
      responses: {
        200: { description: 'The runs, newest fire time first.', schema: cronRunListResponse },
        400: { description: 'A bad `limit`, or an unknown query parameter.', schema: problemResource },
        404: notFound,
      },
      async handle(ctx) {
        const query = parseInput(cronRunsQuerySchema, { ...ctx.query });
        const { name } = await visibleEntry(ctx);
        const limit = query.limit === undefined ? DEFAULT_CRON_RUNS : Number(query.limit);
        const runs = await (await entriesOf()).runs(name, limit);
        sendJson(ctx, 200, { runs: runs.map(renderCronRun) });
      },
    },
    {
      method: 'PUT',
      path: '/v1/cron/:name',
      permission: 'admin',
      operationId: 'putCronEntry',
      summary: 'Create or replace an API cron entry',
      body: cronDefinitionSchema,
      responses: {
        201: { description: 'Created.', schema: cronEntryResource, headers: { Location: 'The entry URL.' } },
        200: { description: 'Replaced.', schema: cronEntryResource },
        400: {
          description:
            'A bad name, expression, zone, queue, path, header or body, checked against the queue as a task create is; `errors` names each field.',
          schema: problemResource,
        },
        403: {
          description:
            "The token's role is not admin, or it may not use the queue (of the body, or of the entry it would replace).",
          schema: problemResource,
        },
        409: fromConfig,
        413: { description: 'Body larger than recorder.maxBodySize.', schema: problemResource },
        415: { description: 'Content-Type is not JSON.', schema: problemResource },
      },
      async handle(ctx) {
        const name = ctx.params.name;
        // The name is checked first, as a field: every other problem is the body's.
        if (!isCronName(name)) throw validationError([{ path: 'name', message: CRON_NAME_RULE }]);
        const { value } = await readJsonBody(ctx, deps.config.recorder.maxBodySize);
        const parsed = parseInput(cronDefinitionSchema, value);
        const principal = ctx.state.principal;
        // An unknown queue is the body's mistake (400 below); a known one outside the scope is 403, as for a create.
        if (Object.hasOwn(deps.config.queues, parsed.queue)) requireQueueAccess(principal, parsed.queue);
        const checked = checkCronDefinition(parsed, deps.config.queues, deps.config.scheduler.leaseDuration);
        if (!checked.ok)
          throw validationError(
            checked.issues.map((issue) => ({ path: joinPath(issue.path), message: issue.message })),
          );
        const entries = await entriesOf();
        // Replacing an entry of another queue would move it out of a scope this token cannot see into.
        const current = await entries.get(name).catch((error: unknown) => {
          if (isDispatchrError(error, 'cron_entry_not_found')) return null;
          throw error;
        });
        if (current !== null && !canAccessQueue(principal, current.definition.queue))
          throw forbidden(`this token may not use the queue of cron entry "${name}"`);
        const { entry, created } = await entries.put(name, checked.definition);
        if (created) ctx.set('Location', `${mountPrefix(ctx)}/v1/cron/${encodeURIComponent(name)}`);
        sendJson(ctx, created ? 201 : 200, renderCronEntry(entry));
      },
    },
    {
      method: 'DELETE',
      path: '/v1/cron/:name',
      permission: 'admin',
      operationId: 'deleteCronEntry',
      summary: 'Delete an API entry, or a config entry the config no longer has (its tasks stay)',
      responses: {
        204: { description: 'Deleted.' },
        404: notFound,
        409: { ...fromConfig, description: `${fromConfig.description} (Orphaned config entries may be deleted.)` },
      },
      async handle(ctx) {
        const { name } = await visibleEntry(ctx);
        await (await entriesOf()).delete(name);
        ctx.status = 204;
      },
    },
    setPaused(true),
    setPaused(false),
    {
      method: 'POST',
      path: '/v1/cron/:name/trigger',
      permission: 'admin',
      operationId: 'triggerCronEntry',
      summary: 'Fire the entry now, as an extra run beside its schedule (whatever its status)',
      responses: {
        201: {
          description: 'The task this run created.',
          schema: cronTriggerResponse,
          headers: { Location: 'The task URL.' },
        },
        404: notFound,
      },
      async handle(ctx) {
        const { name } = await visibleEntry(ctx);
        const fired = await (await entriesOf()).trigger(name);
        ctx.set('Location', `${mountPrefix(ctx)}/v1/tasks/${fired.taskId}`);
        sendJson(ctx, 201, renderCronTrigger(name, fired));
      },
    },
  ];
}
