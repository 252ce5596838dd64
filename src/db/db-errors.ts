import { DispatchrError, isDispatchrError } from '../errors.js';

/**
 * Infrastructure failures of the database, told apart from bugs: the recorder answers 503 with
 * Retry-After for these, and service loops back off and resume.
 */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  '57P01', // admin_shutdown (pg_terminate_backend, restart)
  '57P02',
  '57P03', // cannot_connect_now (starting up)
  '53300', // too_many_connections
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
]);

export function isDatabaseUnavailable(error: unknown): boolean {
  if (isDispatchrError(error)) return error.code === 'database_unavailable';
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const { code, message, name } = current as { code?: unknown; message?: unknown; name?: unknown };
    if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || code.startsWith('08'))) return true;
    if (
      typeof message === 'string' &&
      /Connection terminated|connection timeout|Timeout acquiring a connection|timeout exceeded when trying to connect|Client has encountered a connection error|terminating connection|Connection ended unexpectedly|the database system is (starting up|shutting down)/i.test(
        message,
      )
    ) {
      return true;
    }
    if (name === 'KnexTimeoutError') return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

export function databaseUnavailable(cause: unknown): DispatchrError {
  return new DispatchrError('database_unavailable', 'the database is unavailable; retry shortly', {
    status: 503,
    expose: true,
    cause,
  });
}

/**
 * PostgreSQL chose this transaction as a deadlock's victim and rolled it back (40P01). Creates can
 * meet one: keyed rows of two concurrent batches lock their keys in different orders (keep rows in
 * one bulk statement, replace and debounce rows one by one). Nothing was written, so running the
 * transaction again is safe.
 */
export function isDeadlock(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === '40P01';
}

/** Runs `work` (a whole transaction) again when it was a deadlock's victim, a few times at most. */
export async function retryOnDeadlock<T>(work: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= attempts || !isDeadlock(error)) throw error;
    }
  }
}
