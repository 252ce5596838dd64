import { CRON_NAME } from '../cron/cron-definition.js';
import type { CronEntryView } from '../cron/cron-entries.js';
import type { CronRun } from '../db/cron.repository.js';
import { DispatchrError } from '../errors.js';
import { formatRfc3339 } from '../rules/rfc3339.js';
import { redactHeaders } from '../rules/task-headers.js';
import type { CronEntryResource, CronRunResource, CronTriggerResource } from './schemas/cron.schema.js';

/**
 * Cron entries and their runs → the API's resources (RFC 3339 UTC times, redacted headers, the
 * body as its JSON value). The recorder and the operator's database mode both render with these,
 * so `dispatchr cron ... --json` prints the same document through either door.
 */
const isoOrNull = (date: Date | null): string | null => (date === null ? null : formatRfc3339(date));

export function renderCronEntry(view: CronEntryView): CronEntryResource {
  const { definition } = view;
  return {
    name: view.name,
    source: view.source,
    status: view.status,
    queue: definition.queue,
    schedule: definition.schedule,
    timezone: definition.timezone,
    path: definition.path,
    method: definition.method,
    headers: redactHeaders(definition.headers),
    body: definition.bodyJson === null ? null : (JSON.parse(definition.bodyJson) as unknown),
    maxAttempts: definition.maxAttempts,
    timeoutMs: definition.timeoutMs,
    enabled: definition.enabled,
    catchUp: definition.catchUp,
    overlap: definition.overlap,
    nextFireTimes: view.nextFireTimes.map(formatRfc3339),
    lastFireAt: isoOrNull(view.lastFireAt),
    lastTaskId: view.lastTaskId,
    lastTaskState: view.lastTaskState,
    createdAt: formatRfc3339(view.createdAt),
    updatedAt: formatRfc3339(view.updatedAt),
  };
}

export function renderCronRun(run: CronRun): CronRunResource {
  return {
    fireAt: formatRfc3339(run.fireAt),
    kind: run.kind,
    outcome: run.outcome,
    taskId: run.taskId,
    taskState: run.taskState,
    createdAt: formatRfc3339(run.createdAt),
    finalizedAt: isoOrNull(run.finalizedAt),
  };
}

export function renderCronTrigger(name: string, fired: { taskId: string; fireAt: Date }): CronTriggerResource {
  return { name, taskId: fired.taskId, fireAt: formatRfc3339(fired.fireAt) };
}

/**
 * The 404 of an entry that does not exist, or that the caller may not see (a token scoped to other
 * queues): one answer for both, so names are not a way to learn what other queues hold. A name that
 * could never be an entry's (CRON_NAME) is answered the same, and never reaches a query or a URL.
 */
export function cronEntryNotFound(name: string): DispatchrError {
  return new DispatchrError('cron_entry_not_found', `no cron entry named "${name.slice(0, 128)}"`, { status: 404 });
}

export function isCronName(name: string): boolean {
  return CRON_NAME.test(name);
}
