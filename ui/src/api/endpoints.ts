import { api } from './client';
import type {
  Activity,
  BulkResult,
  CronEntry,
  CronRun,
  CronTriggered,
  Failures,
  Queue,
  Scheduler,
  Session,
  Task,
  TaskFilter,
  TaskPage,
} from './types';

/** Each API call the dashboard makes, named; everything it shows can be scripted with the same calls. */
const q = (name: string) => encodeURIComponent(name);

export const getSession = (token?: string | null) => api<Session>('GET', '/v1/session', { token });

export const listQueues = (signal?: AbortSignal) =>
  api<{ queues: Queue[] }>('GET', '/v1/queues', { signal }).then((answer) => answer.queues);

export const queueAction = (name: string, action: 'pause' | 'resume') =>
  api<Queue>('POST', `/v1/queues/${q(name)}/${action}`, { body: {} });

export const purgeQueue = (name: string) =>
  api<{ queue: string; purged: number }>('POST', `/v1/queues/${q(name)}/purge`, { body: {} });

export const PAGE_SIZE = 100;

export const searchTasks = (
  filter: TaskFilter,
  page: { cursor?: string | null; limit?: number } = {},
  signal?: AbortSignal,
) =>
  api<TaskPage>('GET', '/v1/tasks', {
    query: { ...filter, limit: page.limit ?? PAGE_SIZE, cursor: page.cursor },
    signal,
  });

export const getTask = (id: string, signal?: AbortSignal) => api<Task>('GET', `/v1/tasks/${q(id)}`, { signal });

export const taskAction = (id: string, action: 'run' | 'cancel' | 'retry') =>
  api<Task>('POST', `/v1/tasks/${q(id)}/${action}`, { body: {} });

export const deleteTask = (id: string) => api<void>('DELETE', `/v1/tasks/${q(id)}`);

export type BulkKind = 'retry' | 'cancel';

/** At most this many ids per bulk call (the API's limit). */
export const MAX_BULK_IDS = 1000;

/**
 * Bulk retry or cancel of the given tasks; a dry run counts what would change. A retry names the
 * states it may act on (failed and cancelled: the others are left alone by the API anyway).
 */
export const bulkByIds = (kind: BulkKind, ids: string[], dryRun: boolean) =>
  api<BulkResult>('POST', `/v1/tasks/${kind}`, {
    body: kind === 'retry' ? { ids, state: ['failed', 'cancelled'], dryRun } : { ids, dryRun },
  });

export const getActivity = (minutes: number, queue?: string, signal?: AbortSignal) =>
  api<Activity>('GET', '/v1/activity', { query: { minutes, queue }, signal });

export const getFailures = (queue?: string, signal?: AbortSignal) =>
  api<Failures>('GET', '/v1/failures', { query: { queue }, signal });

export const listSchedulers = (signal?: AbortSignal) =>
  api<{ schedulers: Scheduler[] }>('GET', '/v1/schedulers', { signal }).then((answer) => answer.schedulers);

export const listCron = (signal?: AbortSignal) =>
  api<{ entries: CronEntry[] }>('GET', '/v1/cron', { signal }).then((answer) => answer.entries);

export const getCronEntry = (name: string, signal?: AbortSignal) =>
  api<CronEntry>('GET', `/v1/cron/${q(name)}`, { signal });

/** The entry's most recent runs, newest first. */
export const CRON_RUNS_SHOWN = 50;

export const listCronRuns = (name: string, signal?: AbortSignal) =>
  api<{ runs: CronRun[] }>('GET', `/v1/cron/${q(name)}/runs`, { query: { limit: CRON_RUNS_SHOWN }, signal }).then(
    (answer) => answer.runs,
  );

export const cronAction = (name: string, action: 'pause' | 'resume') =>
  api<CronEntry>('POST', `/v1/cron/${q(name)}/${action}`, { body: {} });

export const triggerCron = (name: string) => api<CronTriggered>('POST', `/v1/cron/${q(name)}/trigger`, { body: {} });

export const deleteCron = (name: string) => api<void>('DELETE', `/v1/cron/${q(name)}`);
