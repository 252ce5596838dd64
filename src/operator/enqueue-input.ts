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
  header?: string[];
  'max-attempts'?: number;
  timeout?: string;
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

export function buildTaskInput(flags: EnqueueFlags): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  if (flags.path !== undefined) input.path = flags.path;
  if (flags.method !== undefined) input.method = flags.method.toUpperCase();
  if (flags.body !== undefined) input.body = readBody(flags.body);
  if (flags.header !== undefined && flags.header.length > 0) input.headers = readHeaders(flags.header);
  if (flags.delay !== undefined) input.delay = flags.delay;
  if (flags['run-at'] !== undefined) input.runAt = flags['run-at'];
  if (flags.key !== undefined) input.key = flags.key;
  if (flags['max-attempts'] !== undefined) input.maxAttempts = flags['max-attempts'];
  if (flags.timeout !== undefined) input.timeout = flags.timeout;
  return input;
}
