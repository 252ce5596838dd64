import type { TaskResource } from '../recorder/schemas/resource.schema.js';
import { terminalSafe } from '../terminal-safe.js';
import { formatDuration } from '../duration.js';
import type { TaskPage } from './backend.js';
import { renderFields, renderTable, type Column } from './table.js';
import { callbacksText } from './format-result.js';

/**
 * How tasks read in a terminal. `--json` bypasses all of this and prints the API's resources.
 * Values reach the terminal only through renderTable/renderFields or terminalSafe: every field of a
 * task can hold text its creator or its target chose.
 */
export const shortTime = (iso: string | null): string | null => (iso === null ? null : iso.replace(/\.\d{3}Z$/, 'Z'));

const lastOutcome = (task: TaskResource): string | null =>
  task.lastStatus !== null ? String(task.lastStatus) : task.lastError !== null ? task.lastError : null;

const TASK_COLUMNS: Column<TaskResource>[] = [
  { header: 'ID', value: (t) => t.id },
  { header: 'QUEUE', value: (t) => t.queue },
  { header: 'STATE', value: (t) => t.state },
  { header: 'ATTEMPT', value: (t) => t.attempt, align: 'right' },
  { header: 'PATH', value: (t) => t.path || '/', maxWidth: 40 },
  { header: 'RUN AT', value: (t) => shortTime(t.runAt) },
  { header: 'CREATED', value: (t) => shortTime(t.createdAt) },
  { header: 'LAST', value: lastOutcome, maxWidth: 30 },
];

export function formatTaskPage(page: TaskPage): string {
  if (page.tasks.length === 0) return 'no tasks match';
  const table = renderTable(TASK_COLUMNS, page.tasks);
  return page.nextCursor ? `${table}\n\nmore: --cursor ${terminalSafe(page.nextCursor)}` : table;
}

function bodyText(task: TaskResource): string | null {
  if (task.bodyBase64 !== undefined)
    return `(base64, ${Buffer.from(task.bodyBase64, 'base64').length} bytes) ${task.bodyBase64.slice(0, 80)}`;
  if (task.body === null || task.body === undefined) return null;
  const text = JSON.stringify(task.body);
  return text.length > 300 ? `${text.slice(0, 299)}…` : text;
}

/** The key with its mode, debounce bound and retention (spec 11.2); null without a key. */
function keyText(task: TaskResource): string | null {
  if (task.key === null) return null;
  const parts: string[] = [task.keyMode ?? 'keep'];
  if (task.keyDeadline) parts.push(`due at most ${shortTime(task.keyDeadline)}`);
  if (task.keyRetentionMs) parts.push(`reserved ${task.keyRetentionMs / 1000} s after it finishes`);
  // The default (keep, no bound, no retention) says nothing the key alone does not.
  if (parts.length === 1 && parts[0] === 'keep') return task.key;
  return `${task.key} (${parts.join(', ')})`;
}

export function formatTaskDetail(task: TaskResource): string {
  const headers = Object.entries(task.headers ?? {}).map(([name, value]) => `${name}: ${value}`);
  const fields: [string, string | number | null][] = [
    ['id', task.id],
    ['queue', task.queue],
    ['state', task.state],
    ['waiting', task.waiting ? `${task.waiting.message} (${task.waiting.code})` : null],
    ['request', `${task.method} ${task.path || '/'}`],
    ['attempt', attemptLine(task)],
    ['priority', `${task.priority} (0 is claimed first)`],
    ['run at', shortTime(task.runAt)],
    ['created', shortTime(task.createdAt)],
    ['updated', shortTime(task.updatedAt)],
    ['finalized', shortTime(task.finalizedAt)],
    ['key', keyText(task)],
    ['cron', task.cron === null ? null : `${task.cron}, fire time ${task.cronFireAt ?? '-'}`],
    ['traceparent', task.traceparent],
    ['retry', retryText(task.retry)],
    ['callbacks', callbacksText(task)],
    ['callback of', task.callbackOf ?? null],
    ['last status', task.lastStatus],
    ['last error', task.lastError],
    ['headers', headers.length ? headers.join(', ') : null],
    ['body', bodyText(task)],
  ];
  const attempts = task.attempts ?? [];
  const table =
    attempts.length === 0
      ? 'no attempts yet'
      : renderTable(
          [
            { header: '#', value: (a) => a.number, align: 'right' },
            { header: 'STARTED', value: (a) => shortTime(a.startedAt) },
            { header: 'FINISHED', value: (a) => shortTime(a.finishedAt) },
            { header: 'STATUS', value: (a) => a.status, align: 'right' },
            { header: 'OUTCOME', value: (a) => a.outcome ?? 'running' },
            { header: 'MS', value: (a) => a.durationMs, align: 'right' },
            { header: 'ERROR', value: (a) => a.error, maxWidth: 60 },
          ],
          attempts,
        );
  return `${renderFields(fields)}\n\nattempts\n${table}`;
}

/** The task's own retry settings (spec 11.3): `max duration 10m, options {"initialDelay":"100ms"}`. */
function retryText(retry: TaskResource['retry']): string | null {
  if (!retry) return null;
  const parts: string[] = [];
  if (retry.maxRetryDurationMs !== null) parts.push(`max duration ${formatDuration(retry.maxRetryDurationMs)}`);
  if (retry.options !== null) parts.push(`options ${JSON.stringify(retry.options)}`);
  return parts.join(', ');
}

/** One line after an action: what the task is now. */
export function formatTaskAction(verb: string, task: TaskResource): string {
  return terminalSafe(`${verb} task ${task.id}: now ${task.state}${task.state === 'available' ? ', due now' : ''}`);
}

/** "3 of 5", counting against the limit in force; interrupted attempts are numbered but not counted. */
function attemptLine(task: TaskResource): string {
  const limit = task.effective?.maxAttempts ?? task.maxAttempts;
  const givenBack = task.attemptsGivenBack ?? 0;
  const counted = limit === null || limit === undefined ? `${task.attempt}` : `${task.attempt - givenBack} of ${limit}`;
  return givenBack > 0 ? `${counted} (latest #${task.attempt}; ${givenBack} interrupted, not counted)` : counted;
}
