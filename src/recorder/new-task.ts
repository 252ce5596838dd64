import { parseDuration } from '../duration.js';
import { canonicalJsonText } from '../rules/json-canonical.js';
import type { NewTask } from '../task.js';
import { parseRfc3339 } from '../rules/rfc3339.js';
import type { TaskInput } from './schemas/task-input.schema.js';
import { rememberedTaskPath } from './remembered-task-path.js';
import { DEFAULT_PRIORITY } from '../rules/task-priority.js';
import { checkTaskRetry, taskRetryText } from '../rules/task-retry.js';

/**
 * A validated request → the task to store. Cannot fail: every rule was checked by the schema.
 * A `body` is stored as its JSON bytes; `bodyBase64` as the decoded bytes; both keep contentType.
 */
export function toNewTask(
  input: TaskInput,
  queue: string,
  target: string,
  now: Date,
  traceparent: string | null,
  /** The queue's defaultPriority, for a task that sends none. */
  defaultPriority: number = DEFAULT_PRIORITY,
): NewTask {
  const path = rememberedTaskPath(target, input.path);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.headers ?? {})) headers[name.toLowerCase()] = value;
  let body: Buffer | null = null;
  let bodyText: string | undefined;
  let contentType = input.contentType ?? null;
  if (input.body !== undefined && input.body !== null) {
    // Stored as sent (docs/spec.md 5.2): the RFC 8785 canonical text, the same bytes any writer stores.
    bodyText = canonicalJsonText(input.body);
    body = Buffer.from(bodyText, 'utf8');
    contentType ??= 'application/json';
  } else if (input.bodyBase64 !== undefined) {
    body = Buffer.from(input.bodyBase64, 'base64');
    contentType ??= 'application/octet-stream';
  }
  let runAt = now;
  if (input.runAt !== undefined) runAt = new Date(parseRfc3339(input.runAt)!);
  else if (input.delay !== undefined) runAt = new Date(now.getTime() + parseDuration(input.delay, 's')!);
  return {
    queue,
    path: path.ok ? path.path : '',
    method: input.method ?? 'POST',
    headers,
    body,
    ...(bodyText === undefined ? {} : { bodyText }),
    contentType,
    runAt,
    maxAttempts: input.maxAttempts ?? null,
    timeoutMs: input.timeout === undefined ? null : parseDuration(input.timeout, 's')!,
    key: input.key ?? null,
    ...(input.key === undefined ? {} : keyOptionsOf(input)),
    traceparent,
    priority: input.priority ?? defaultPriority,
    onComplete: input.onComplete ?? null,
    onFailure: input.onFailure ?? null,
    ...(input.retry === undefined ? {} : { retry: storedRetry(input.retry) }),
  };
}

/** The schema has checked it: this only normalizes (maxRetryDuration to ms) for the column. */
function storedRetry(input: unknown): string | null {
  const checked = checkTaskRetry(input);
  return 'retry' in checked ? taskRetryText(checked.retry) : null;
}

/** The key options of a validated input that has a key (docs/spec.md 11.2). */
function keyOptionsOf(input: TaskInput): Pick<NewTask, 'keyMode' | 'keyMaxWaitMs' | 'keyRetentionMs'> {
  return {
    keyMode: input.keyMode ?? 'keep',
    keyMaxWaitMs: input.keyMaxWait === undefined ? null : parseDuration(input.keyMaxWait, 's')!,
    keyRetentionMs: input.keyRetention === undefined ? null : parseDuration(input.keyRetention, 's')!,
  };
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/** The W3C `traceparent` of the create request when it is valid; anything else is ignored, not refused. */
export function validTraceparent(header: string): string | null {
  const match = TRACEPARENT.exec(header.trim());
  if (!match) return null;
  const [, version, traceId, parentId, , rest] = match;
  if (version === 'ff' || /^0+$/.test(traceId) || /^0+$/.test(parentId)) return null;
  if (version === '00' && rest !== undefined) return null;
  return `${version}-${traceId}-${parentId}-${match[4]}`;
}
