/**
 * The one statement that writes new tasks. Dependency-free on purpose: the repository uses it, and
 * so does `enqueueWithin()` in the client, which runs it inside an application's own PostgreSQL
 * transaction without importing any of Dispatchr's server code.
 *
 * `on conflict do nothing` covers the dedup key (unique per queue among unfinished tasks): a
 * conflicting row is simply not returned, and the caller looks up the task that holds the key.
 */
export interface TaskInsertRow {
  id: string;
  queue: string;
  state: 'available' | 'scheduled';
  path: string;
  method: string;
  headers: Record<string, string>;
  body: Uint8Array | null;
  /** PostgreSQL keeps a jsonb copy of JSON bodies for search; null for other bodies. */
  bodyJson: string | null;
  contentType: string | null;
  runAt: Date;
  maxAttempts: number | null;
  timeoutMs: number | null;
  key: string | null;
  traceparent: string | null;
  createdAt: Date;
}

/** What a new task is made of before it becomes a row; the id and `now` come from the caller. */
export interface TaskInsertInput {
  id: string;
  queue: string;
  path: string;
  method: string;
  headers: Record<string, string>;
  body: Uint8Array | null;
  contentType: string | null;
  runAt: Date;
  maxAttempts: number | null;
  timeoutMs: number | null;
  key: string | null;
  traceparent: string | null;
}

const JSON_CONTENT_TYPE = /^application\/([a-z0-9.+-]*\+)?json\b/i;

/**
 * A task → its row at `now`, by the repository's rules: due now is `available`, later is
 * `scheduled`, a past runAt becomes now. Shared so `enqueueWithin()` computes rows exactly like the
 * recorder does. The jsonb copy is kept only when the bytes really are JSON that jsonb accepts (a
 * JSON content type over other bytes, or a `\u0000` escape, would otherwise fail the whole insert).
 */
export function toTaskInsertRow(task: TaskInsertInput, now: Date): TaskInsertRow {
  const due = task.runAt.getTime() <= now.getTime();
  return {
    ...task,
    state: due ? 'available' : 'scheduled',
    runAt: due ? now : task.runAt,
    bodyJson: task.body !== null && JSON_CONTENT_TYPE.test(task.contentType ?? '') ? jsonbText(task.body) : null,
    createdAt: now,
  };
}

function jsonbText(body: Uint8Array): string | null {
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(body);
    JSON.parse(text);
    return /\\u0000/i.test(text) ? null : text;
  } catch {
    return null;
  }
}

export interface SqlStatement {
  text: string;
  values: unknown[];
}

export const INSERT_RETURNING =
  'id, queue, state, path, method, headers, body, content_type, run_at, attempt, max_attempts, timeout_ms, dedup_key, lease_owner, lease_expires_at, attempted_at, traceparent, first_attempt_at, last_status, last_error, created_at, updated_at, finalized_at';

const PG_COLUMNS =
  '(id, queue, state, path, method, headers, body, body_json, content_type, run_at, max_attempts, timeout_ms, dedup_key, traceparent, created_at, updated_at)';
const SQLITE_COLUMNS =
  '(id, queue, state, path, method, headers, body, content_type, run_at, max_attempts, timeout_ms, dedup_key, traceparent, created_at, updated_at)';

export function buildTaskInsert(dialect: 'postgresql' | 'sqlite', rows: readonly TaskInsertRow[]): SqlStatement {
  const values: unknown[] = [];
  const tuples = rows.map((row) => {
    const fields: unknown[] =
      dialect === 'postgresql'
        ? [row.id, row.queue, row.state, row.path, row.method, JSON.stringify(row.headers), row.body === null ? null : Buffer.from(row.body), row.bodyJson, row.contentType, row.runAt, row.maxAttempts, row.timeoutMs, row.key, row.traceparent, row.createdAt, row.createdAt]
        : [row.id, row.queue, row.state, row.path, row.method, JSON.stringify(row.headers), row.body === null ? null : Buffer.from(row.body), row.contentType, row.runAt.getTime(), row.maxAttempts, row.timeoutMs, row.key, row.traceparent, row.createdAt.getTime(), row.createdAt.getTime()];
    const placeholders = fields.map((field, index) => {
      values.push(field);
      if (dialect === 'sqlite') return '?';
      const n = `$${values.length}`;
      // Casts let the same text run through pg, knex and MikroORM without type inference surprises.
      return index === 0 ? `${n}::uuid` : index === 5 || index === 7 ? `${n}::jsonb` : index === 9 || index === 14 || index === 15 ? `${n}::timestamptz` : n;
    });
    return `(${placeholders.join(', ')})`;
  });
  const columns = dialect === 'postgresql' ? PG_COLUMNS : SQLITE_COLUMNS;
  return {
    text: `insert into dispatchr_task ${columns} values ${tuples.join(', ')} on conflict do nothing returning ${INSERT_RETURNING}`,
    values,
  };
}
