import { readFileSync } from 'node:fs';
import { usageError } from './filter-flags.js';

/**
 * `dispatchr enqueue` flags → a task as the create API takes it (spec 4.4). Only the shape is
 * checked here; the rules (path inside the target, header names, delay limits) are the API's own
 * schema, applied by the recorder or, in database mode, by the same schema in this process.
 */
export interface EnqueueFlags {
  path?: string;
  body?: string;
  method?: string;
  delay?: string;
  'run-at'?: string;
  key?: string;
  'key-mode'?: string;
  'key-max-wait'?: string;
  'key-retention'?: string;
  header?: string[];
  'max-attempts'?: number;
  priority?: number;
  timeout?: string;
  'retry-max-duration'?: string;
  'retry-option'?: string[];
  'on-complete'?: string;
  'on-failure'?: string;
}

/** `--body '{"a":1}'` or `--body @file.json` (JSON either way). */
export function readBody(value: string): unknown {
  let text = value;
  if (value.startsWith('@')) {
    try {
      text = readFileSync(value.slice(1), 'utf8');
    } catch (error) {
      throw usageError(
        `--body: cannot read ${value.slice(1)}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      );
    }
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw usageError(`--body: expected JSON (or @file with JSON): ${(error as Error).message}`);
  }
}

/** `--header "x-tenant: acme"` (repeatable); the first colon separates name and value. */
export function readHeaders(values: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const entry of values) {
    const colon = entry.indexOf(':');
    if (colon <= 0) throw usageError(`--header: expected "name: value", got ${JSON.stringify(entry)}`);
    headers[entry.slice(0, colon).trim()] = entry.slice(colon + 1).trim();
  }
  return headers;
}

/**
 * `--retry-max-duration 10m --retry-option initialDelay=100ms --retry-option factor=3` → the task's
 * `retry` (spec 11.3). A value that reads as a JSON number or boolean is one (factor=3 is 3);
 * anything else is a string, so durations need no quotes.
 */
export function readRetry(
  maxDuration: string | undefined,
  options: readonly string[],
): Record<string, unknown> | undefined {
  if (maxDuration === undefined && options.length === 0) return undefined;
  const retry: Record<string, unknown> = {};
  if (maxDuration !== undefined) retry.maxRetryDuration = maxDuration;
  if (options.length > 0) {
    const values: Record<string, unknown> = {};
    for (const entry of options) {
      const equals = entry.indexOf('=');
      if (equals <= 0) throw usageError(`--retry-option: expected "name=value", got ${JSON.stringify(entry)}`);
      const value = entry.slice(equals + 1).trim();
      values[entry.slice(0, equals).trim()] = /^(-?\d+(\.\d+)?|true|false)$/.test(value) ? JSON.parse(value) : value;
    }
    retry.options = values;
  }
  return retry;
}

/**
 * `--on-complete done:/ok` → `{ queue: 'done', path: '/ok' }` (spec 11.5). A queue name has no
 * colon, so the first one separates; `done` alone is the queue's target itself. The API checks the rest.
 */
export function readCallback(flag: string, value: string): { queue: string; path: string } {
  const colon = value.indexOf(':');
  const queue = colon === -1 ? value : value.slice(0, colon);
  if (queue === '') throw usageError(`${flag}: expected "queue:/path", got ${JSON.stringify(value)}`);
  return { queue, path: colon === -1 ? '' : value.slice(colon + 1) };
}

export function buildTaskInput(flags: EnqueueFlags): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  if (flags.path !== undefined) input.path = flags.path;
  if (flags.method !== undefined) input.method = flags.method.toUpperCase();
  if (flags.body !== undefined) input.body = readBody(flags.body);
  if (flags.header !== undefined && flags.header.length > 0) input.headers = readHeaders(flags.header);
  if (flags.delay !== undefined) input.delay = flags.delay;
  if (flags['run-at'] !== undefined) input.runAt = flags['run-at'];
  if (flags.key !== undefined) input.key = flags.key;
  if (flags['key-mode'] !== undefined) input.keyMode = flags['key-mode'];
  if (flags['key-max-wait'] !== undefined) input.keyMaxWait = flags['key-max-wait'];
  if (flags['key-retention'] !== undefined) input.keyRetention = flags['key-retention'];
  if (flags['max-attempts'] !== undefined) input.maxAttempts = flags['max-attempts'];
  if (flags.priority !== undefined) input.priority = flags.priority;
  if (flags.timeout !== undefined) input.timeout = flags.timeout;
  const retry = readRetry(flags['retry-max-duration'], flags['retry-option'] ?? []);
  if (retry !== undefined) input.retry = retry;
  if (flags['on-complete'] !== undefined) input.onComplete = readCallback('--on-complete', flags['on-complete']);
  if (flags['on-failure'] !== undefined) input.onFailure = readCallback('--on-failure', flags['on-failure']);
  return input;
}
