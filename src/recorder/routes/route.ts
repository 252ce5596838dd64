import type { z } from 'zod';
import type { QueueConfig } from '../../config/schema.js';
import { notFound, type TaskFilter } from '../../db/task.repository.js';
import { UUID_PATTERN } from '../../ids.js';
import { isDispatchrError } from '../../errors.js';
import type { TaskRecord } from '../../task.js';
import { canAccessQueue, requireQueueAccess, type Permission } from '../auth.js';
import type { RecorderContext, RecorderDeps, Stores } from '../context.js';
import { queueNotFound, RETRY_AFTER_SECONDS } from '../errors.js';
import { createReadGate, type ReadGate } from '../read-gate.js';
import { buildTaskPage, pageStream } from '../task-page.js';
import { DEFAULT_LIMIT } from '../schemas/query.schema.js';
import { taskListResponse, type TaskView } from '../schemas/resource.schema.js';

/**
 * One route: its method and path, what it documents (the OpenAPI document is generated from these
 * same objects), and its handler. Handlers are thin: resolve, validate, call a repository, render.
 */
export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  headers?: Record<string, string>;
}

export interface RouteSpec {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** @koa/router syntax: `/v1/tasks/:id`. */
  path: string;
  operationId: string;
  summary: string;
  /**
   * The weakest token role that may call it (spec 4.2's matrix), checked by the router before the
   * handler runs; 'public' needs no token (the probes). Required, so no route is added without one.
   */
  permission: Permission;
  body?: z.ZodType;
  query?: z.ZodObject;
  idempotent?: boolean;
  responses: Record<number, ResponseSpec>;
  handle(ctx: RecorderContext, deps: RecorderDeps): Promise<void>;
}

/** The queue named in the path: configured (else 404, queues are never created) and in the token's scope (else 403). */
export function resolveQueue(ctx: RecorderContext, deps: RecorderDeps): { name: string; queue: QueueConfig } {
  const name = ctx.params.queue;
  const queue = Object.hasOwn(deps.config.queues, name) ? deps.config.queues[name] : undefined;
  if (!queue) throw queueNotFound(name);
  requireQueueAccess(ctx.state.principal, name);
  return { name, queue };
}

/**
 * The task named in the path. A task in a queue the token may not use answers 404, like a task
 * that does not exist: ids are not a way to learn what other queues hold.
 */
export async function loadTask(ctx: RecorderContext, stores: Stores): Promise<TaskRecord> {
  const id = ctx.params.id.toLowerCase();
  if (!UUID_PATTERN.test(id)) throw notFound(ctx.params.id.slice(0, 64));
  const task = await stores.tasks.findTask(id);
  if (!task || !canAccessQueue(ctx.state.principal, task.queue)) throw notFound(id);
  return task;
}

/** The path prefix this app is mounted under (koa-mount strips it from ctx.path), for Location headers. */
export function mountPrefix(ctx: RecorderContext): string {
  const original = ctx.originalUrl.split('?')[0];
  return original.endsWith(ctx.path) ? original.slice(0, original.length - ctx.path.length) : '';
}

/** The list routes' 200, as documented in OpenAPI. */
export const taskPageResponse: ResponseSpec = {
  description: 'One page; pass `nextCursor` as `cursor` for the next (null on the last page).',
  schema: taskListResponse,
};

/** One read gate per recorder (keyed by its deps, made once per createRecorder). */
const readGates = new WeakMap<RecorderDeps, ReadGate>();

function readGateOf(deps: RecorderDeps): ReadGate {
  let gate = readGates.get(deps);
  if (!gate) readGates.set(deps, (gate = createReadGate(deps.config.recorder.maxConcurrentReads)));
  return gate;
}

/**
 * A read that sums up many tasks (the dashboard's activity and failures), under the same limits as
 * the lists: at most recorder.maxConcurrentReads at once, each statement stopped after
 * recorder.readTimeout (`read` gets it); either refusal answers 503 with Retry-After.
 */
export async function boundedRead<T>(
  ctx: RecorderContext,
  deps: RecorderDeps,
  read: (timeoutMs: number) => Promise<T>,
): Promise<T> {
  try {
    return await readGateOf(deps).run(() => read(deps.config.recorder.readTimeout));
  } catch (error) {
    if (isDispatchrError(error, 'reads_busy') || isDispatchrError(error, 'query_timeout'))
      ctx.set('Retry-After', String(RETRY_AFTER_SECONDS));
    throw error;
  }
}

/**
 * The list routes' answer: one page of tasks matching `filter`, newest first, as
 * `{ tasks, nextCursor }` in the `basic` view unless `view=full`; `limit` and `cursor` as the query
 * gave them. Bounded by the recorder's read limits (task-page.ts, read-gate.ts); a read stopped by
 * them answers 503 with Retry-After, as an unavailable database does.
 */
export async function sendTaskPage(
  ctx: RecorderContext,
  deps: RecorderDeps,
  filter: TaskFilter,
  page: { limit?: string; cursor?: string; view?: TaskView },
): Promise<void> {
  const { recorder } = deps.config;
  const gate = readGateOf(deps);
  const stores = await deps.stores();
  const request = {
    limit: page.limit === undefined ? DEFAULT_LIMIT : Number(page.limit),
    cursor: page.cursor,
    view: page.view ?? 'basic',
    config: deps.config,
  };
  const limits = {
    maxPageBytes: recorder.maxPageBytes,
    maxScanRows: recorder.maxScanRows,
    readTimeoutMs: recorder.readTimeout,
  };
  try {
    const page = await gate.run(() => buildTaskPage(stores.tasks, filter, request, limits));
    ctx.status = 200;
    ctx.type = 'application/json';
    // Written piece by piece: joined, a full page would be one more copy of itself.
    ctx.body = pageStream(page);
    ctx.length = page.bytes;
  } catch (error) {
    if (isDispatchrError(error, 'reads_busy') || isDispatchrError(error, 'query_timeout'))
      ctx.set('Retry-After', String(RETRY_AFTER_SECONDS));
    throw error;
  }
}

export function sendJson(ctx: RecorderContext, status: number, body: unknown): void {
  ctx.status = status;
  ctx.type = 'application/json';
  ctx.body = typeof body === 'string' ? body : JSON.stringify(body);
}
