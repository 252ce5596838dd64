import { apiUrl } from './api/client';
import type { Task } from './api/types';

/** The API shows sensitive header values as this; they cannot be re-sent. */
export const REDACTED = '[redacted]';

/** One shell word, single-quoted (a quote inside becomes '\''). */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * The create call that makes this task again: same queue, path, method, headers, body, key and
 * limits (not its state or history). Redacted header values are left out and named, since the
 * API never shows them; the token is read from $DISPATCHR_TOKEN, never written into the text.
 */
export function curlFor(task: Task, open: boolean): { text: string; leftOut: string[] } {
  const input: Record<string, unknown> = { path: task.path };
  if (task.method !== 'POST') input.method = task.method;
  const leftOut: string[] = [];
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(task.headers ?? {})) {
    if (value === REDACTED) leftOut.push(name);
    else headers[name] = value;
  }
  if (Object.keys(headers).length > 0) input.headers = headers;
  if (task.bodyBase64 !== undefined) {
    input.bodyBase64 = task.bodyBase64;
    if (task.contentType) input.contentType = task.contentType;
  } else if (task.body !== undefined && task.body !== null) {
    input.body = task.body;
    if (task.contentType && task.contentType !== 'application/json') input.contentType = task.contentType;
  }
  if (task.key !== null) input.key = task.key;
  if (task.maxAttempts !== null) input.maxAttempts = task.maxAttempts;
  input.priority = task.priority;
  if (task.timeoutMs !== null) input.timeout = `${task.timeoutMs}ms`;
  if (task.retry) {
    const retry: Record<string, unknown> = {};
    if (task.retry.maxRetryDurationMs !== null) retry.maxRetryDuration = `${task.retry.maxRetryDurationMs}ms`;
    if (task.retry.options !== null) retry.options = task.retry.options;
    input.retry = retry;
  }

  const url = apiUrl(`/v1/queues/${encodeURIComponent(task.queue)}/tasks`).href;
  const lines = [`curl -sS -X POST ${shellQuote(url)}`, `-H 'content-type: application/json'`];
  if (!open) lines.push(`-H "authorization: Bearer $DISPATCHR_TOKEN"`);
  lines.push(`--data-binary ${shellQuote(JSON.stringify(input))}`);
  return { text: lines.join(' \\\n  '), leftOut };
}
