import { isSensitiveName } from './sensitive-names.js';

/**
 * The second line of defence behind pino's `redact` paths, which match exact key paths only: a
 * header logged as `X-Api-Key`, `Authorization` with a capital A, a token one level deeper than a
 * path foresaw, or a database URL with its password inside an error message would all pass them.
 * This walks each logged object (small: a few keys per line) and censors
 *  - values under keys that name a credential, at any depth and in any spelling, by the one rule
 *    the API and search also use (src/sensitive-names.ts);
 *  - the password part of URLs (`postgres://user:pw@host` → `postgres://user:[redacted]@host`)
 *    in every string, error messages and stacks included.
 * Objects are copied where something changes; the caller's objects are never modified.
 */
export const CENSOR = '[redacted]';

const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/[^/\s:@]*):([^/\s@]+)@/gi;
const MAX_DEPTH = 8;

export const isSensitiveKey = isSensitiveName;

export function scrubString(value: string): string {
  return value.includes('@') ? value.replace(URL_CREDENTIALS, `$1:${CENSOR}@`) : value;
}

function scrubError(error: Error, depth: number): Error {
  // A copy with the same prototype, so pino's err serializer still reports its type (and name).
  const copy = Object.create(Object.getPrototypeOf(error) as object) as Error;
  for (const [key, value] of Object.entries(error))
    (copy as unknown as Record<string, unknown>)[key] = isSensitiveKey(key) ? CENSOR : scrubValue(value, depth + 1);
  const hidden = (key: string, value: unknown) =>
    Object.defineProperty(copy, key, { value, writable: true, configurable: true, enumerable: false });
  hidden('message', scrubString(error.message));
  if (error.stack !== undefined) hidden('stack', scrubString(error.stack));
  if (error.cause !== undefined) hidden('cause', scrubValue(error.cause, depth + 1));
  return copy;
}

function scrubValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return scrubString(value);
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return value;
  if (value instanceof Error) return scrubError(value, depth);
  if (Array.isArray(value)) {
    let changed = false;
    const copy = value.map((item) => {
      const next = scrubValue(item, depth + 1);
      if (next !== item) changed = true;
      return next;
    });
    return changed ? copy : value;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) return value; // Dates, Buffers, class instances
  let copy: Record<string, unknown> | null = null;
  for (const [key, item] of Object.entries(value)) {
    const next = isSensitiveKey(key) && item !== null && item !== undefined ? CENSOR : scrubValue(item, depth + 1);
    if (next !== item) {
      copy ??= { ...(value as Record<string, unknown>) };
      copy[key] = next;
    }
  }
  return copy ?? value;
}

/** pino `formatters.log`: the merged object of one log line, scrubbed. */
export function scrubLogObject(object: Record<string, unknown>): Record<string, unknown> {
  return scrubValue(object, 0) as Record<string, unknown>;
}
