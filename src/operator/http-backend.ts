import { randomUUID } from 'node:crypto';
import { Agent, request } from 'undici';
import { DispatchrError, type ErrorDetail } from '../errors.js';
import { cronEntryNotFound, isCronName } from '../recorder/cron-view.js';
import type { SchedulerResource } from '../recorder/scheduler-view.js';
import type { CronEntryResource, CronRunResource, CronTriggerResource } from '../recorder/schemas/cron.schema.js';
import type { QueueResource, TaskResource } from '../recorder/schemas/resource.schema.js';
import {
  CRON_SHOW_RUNS,
  type BulkRetryResult,
  type EnqueueResult,
  type OperatorBackend,
  type RetryFilterInput,
  type TaskFilterInput,
  type TaskPage,
} from './backend.js';

/**
 * The operator's backend on a recorder (`--url`, `--token`). Plain HTTP calls to the routes of spec
 * section 4 rather than the app-side client SDK: the operator needs routes an application does not
 * (search across queues, bulk retry, queue control), and problems are turned back into the same
 * DispatchrErrors the database backend throws, so exit codes do not depend on the mode.
 */
export interface HttpBackendOptions {
  url: string;
  token?: string;
  timeoutMs?: number;
}

interface Reply<T> {
  status: number;
  body: T;
  /** Dispatchr-Deduplicated, on a create that met its key's holder. */
  deduplicated?: string;
}

export function createHttpBackend(options: HttpBackendOptions): OperatorBackend {
  const base = parseBase(options.url);
  // Our own agent, closed at the end, so idle keep-alive sockets never hold the CLI open.
  const agent = new Agent({ keepAliveTimeout: 1_000 });
  const timeoutMs = options.timeoutMs ?? 600_000;

  async function call<T>(
    method: 'GET' | 'POST',
    path: string,
    init: { query?: Record<string, string | undefined>; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<Reply<T>> {
    const url = new URL(`${base.pathname.replace(/\/+$/, '')}${path}`, base);
    for (const [name, value] of Object.entries(init.query ?? {}))
      if (value !== undefined) url.searchParams.set(name, value);
    const headers: Record<string, string> = { accept: 'application/json', ...init.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    // Every POST says JSON, bodiless ones too (spec 4.1: the recorder's cross-site rule).
    if (init.body !== undefined || method === 'POST') headers['content-type'] = 'application/json';
    let response;
    try {
      response = await request(url, {
        method,
        headers,
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
        dispatcher: agent,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
    } catch (error) {
      const code = (error as { code?: string }).code ?? (error as Error).message;
      throw new DispatchrError('recorder_unreachable', `cannot reach the recorder at ${base.origin}: ${code}`, {
        status: 503,
        cause: error,
      });
    }
    const text = await response.body.text();
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (response.statusCode >= 400) throw problemError(response.statusCode, body);
    if (body === undefined)
      throw new DispatchrError(
        'bad_response',
        `the recorder answered ${method} ${path} with something that is not JSON`,
        { status: 502 },
      );
    const deduplicated = response.headers['dispatchr-deduplicated'];
    return {
      status: response.statusCode,
      body: body as T,
      deduplicated: typeof deduplicated === 'string' ? deduplicated : undefined,
    };
  }

  const filterBody = (filter: TaskFilterInput | RetryFilterInput) => ({
    ...(filter.queue !== undefined ? { queue: filter.queue } : {}),
    ...(filter.since ? { since: filter.since.toISOString() } : {}),
    ...(filter.until ? { until: filter.until.toISOString() } : {}),
    ...(filter.path !== undefined ? { path: filter.path } : {}),
    ...(filter.search !== undefined ? { search: filter.search } : {}),
  });
  const taskPath = (id: string) => `/v1/tasks/${encodeURIComponent(id)}`;
  const queuePath = (queue: string) => `/v1/queues/${encodeURIComponent(queue)}`;
  // A name no entry can have never becomes a URL (".." would resolve to another route): the same 404 as the database mode.
  const cronPath = (name: string) => {
    if (!isCronName(name)) throw cronEntryNotFound(name);
    return `/v1/cron/${encodeURIComponent(name)}`;
  };

  return {
    mode: 'recorder',

    async listTasks(input) {
      // The basic view: a list prints no headers or bodies (tasks show reads one task in full).
      const query = {
        ...filterBody(input),
        state: input.states?.join(','),
        limit: String(input.limit),
        cursor: input.cursor,
        view: 'basic',
      };
      return (await call<TaskPage>('GET', '/v1/tasks', { query })).body;
    },

    async showTask(id) {
      return (await call<TaskResource>('GET', taskPath(id), { query: { view: 'full' } })).body;
    },

    async actOnTask(id, action) {
      return (await call<TaskResource>('POST', `${taskPath(id)}/${action}`)).body;
    },

    async cancelByKey(queue, key) {
      return (await call<TaskResource>('POST', `${queuePath(queue)}/keys/${encodeURIComponent(key)}/cancel`)).body;
    },

    async countRetryable(filter) {
      const reply = await call<BulkRetryResult>('POST', '/v1/tasks/retry', {
        body: { ...filterBody(filter), state: filter.states, dryRun: true },
      });
      return reply.body.matched;
    },

    async retryMatching(filter, onProgress) {
      // The recorder runs the batches; one answer at the end, so progress is reported once.
      const reply = await call<BulkRetryResult>('POST', '/v1/tasks/retry', {
        body: { ...filterBody(filter), state: filter.states },
      });
      onProgress?.(reply.body.retried);
      return reply.body;
    },

    async listQueues() {
      return (await call<{ queues: QueueResource[] }>('GET', '/v1/queues')).body.queues;
    },

    async setPaused(queue, paused) {
      return (await call<QueueResource>('POST', `${queuePath(queue)}/${paused ? 'pause' : 'resume'}`)).body;
    },

    async purgeQueue(queue) {
      return (await call<{ queue: string; purged: number }>('POST', `${queuePath(queue)}/purge`)).body;
    },

    async enqueue(queue, input) {
      // An Idempotency-Key makes a create retried by hand after a lost answer harmless.
      const reply = await call<TaskResource>('POST', `${queuePath(queue)}/tasks`, {
        body: input,
        headers: { 'idempotency-key': randomUUID() },
      });
      return { task: reply.body, deduplicated: reply.status === 200 ? dedupOutcome(reply.deduplicated) : false };
    },

    async listSchedulers() {
      return (await call<{ schedulers: SchedulerResource[] }>('GET', '/v1/schedulers')).body.schedulers;
    },

    async listCron() {
      return (await call<{ entries: CronEntryResource[] }>('GET', '/v1/cron')).body.entries;
    },

    async showCron(name) {
      const entry = (await call<CronEntryResource>('GET', cronPath(name))).body;
      const query = { limit: String(CRON_SHOW_RUNS) };
      const { runs } = (await call<{ runs: CronRunResource[] }>('GET', `${cronPath(name)}/runs`, { query })).body;
      return { entry, runs };
    },

    async triggerCron(name) {
      return (await call<CronTriggerResource>('POST', `${cronPath(name)}/trigger`)).body;
    },

    async setCronPaused(name, paused) {
      return (await call<CronEntryResource>('POST', `${cronPath(name)}/${paused ? 'pause' : 'resume'}`)).body;
    },

    close: () => agent.close(),
  };
}

function parseBase(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    parsed = new URL('invalid:');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new DispatchrError('usage', `--url: expected an http(s) URL of a recorder, got ${JSON.stringify(url)}`, {
      status: 2,
    });
  }
  return parsed;
}

/** The recorder's problem+json → the same error the database backend would have thrown. */
function problemError(status: number, body: unknown): DispatchrError {
  const problem = (body ?? {}) as { code?: unknown; detail?: unknown; errors?: unknown };
  const code = typeof problem.code === 'string' ? problem.code : `http_${status}`;
  const detail = typeof problem.detail === 'string' ? problem.detail : `the recorder answered HTTP ${status}`;
  const details = Array.isArray(problem.errors) ? (problem.errors as ErrorDetail[]) : [];
  if (status === 401) {
    return new DispatchrError(
      'config_unauthorized',
      `the recorder refused the token (${detail}): check --token or DISPATCHR_TOKEN`,
      { status: 2 },
    );
  }
  return new DispatchrError(code, detail, { status, details });
}

/** The create's Dispatchr-Deduplicated value; a recorder older than key modes answered "true", which was keep. */
function dedupOutcome(value: string | undefined): Exclude<EnqueueResult['deduplicated'], false> {
  return value === 'replaced' || value === 'debounced' ? value : 'kept';
}
