/**
 * The one statement that writes new tasks. Dependency-free on purpose: the repository uses it, and
 * so does `enqueueWithin()` in the client, which runs it inside an application's own PostgreSQL
 * transaction without importing any of Dispatchr's server code.
 *
 * `on conflict do nothing` covers the dedup key (unique per queue among unfinished tasks): a
 * conflicting row is simply not returned, and the caller looks up the task that holds the key.
 * Only ids come back: the caller already holds every value it wrote.
 */

/**
 * What a new task is made of before it becomes a row; the id and `now` come from the caller. The
 * fields of NewTask (src/task.ts), restated: this file is part of the client's import graph,
 * whose published types may not reach server modules.
 */
export interface TaskInsertInput {
  queue: string;
  path: string;
  method: string;
  headers: Record<string, string>;
  body: Uint8Array | null;
  /** `body` as text, when the caller serialized it from JSON itself (it is then known to parse). */
  bodyText?: string;
  contentType: string | null;
  runAt: Date;
  maxAttempts: number | null;
  timeoutMs: number | null;
  key: string | null;
  traceparent: string | null;
}

/** The row written, by the repository's rules (see toTaskInsertRow). */
export interface TaskInsertRow extends Omit<TaskInsertInput, 'bodyText'> {
  id: string;
  state: 'available' | 'scheduled';
  /** PostgreSQL keeps a jsonb copy of JSON bodies for search; null for other bodies. */
  bodyJson: string | null;
  createdAt: Date;
}

const JSON_CONTENT_TYPE = /^application\/([a-z0-9.+-]*\+)?json\b/i;

/**
 * A task → its row at `now`, by the repository's rules: due now is `available`, later is
 * `scheduled`, a past runAt becomes now. Shared so `enqueueWithin()` computes rows exactly like the
 * recorder does. The jsonb copy is kept only when the bytes really are JSON that jsonb accepts (a
 * JSON content type over other bytes, or a `\u0000` escape, would otherwise fail the whole insert).
 */
export function toTaskInsertRow(task: TaskInsertInput, now: Date, id: string): TaskInsertRow {
  const due = task.runAt.getTime() <= now.getTime();
  // Field by field rather than a spread: this runs once per task of a 1,000-task batch.
  return {
    id,
    queue: task.queue,
    state: due ? 'available' : 'scheduled',
    path: task.path,
    method: task.method,
    headers: task.headers,
    body: task.body,
    bodyJson:
      task.body !== null && JSON_CONTENT_TYPE.test(task.contentType ?? '') ? jsonbText(task.body, task.bodyText) : null,
    contentType: task.contentType,
    runAt: due ? now : task.runAt,
    maxAttempts: task.maxAttempts,
    timeoutMs: task.timeoutMs,
    key: task.key,
    traceparent: task.traceparent,
    createdAt: now,
  };
}

/**
 * Escapes jsonb refuses, which would fail the whole insert (and every task sharing its statement):
 * `\u0000`, and a surrogate escape without its pair (`"\ud800"`, which JSON.stringify writes for
 * an unpaired surrogate). The recorder and enqueueWithin refuse both; this keeps any other writer's
 * body out of the jsonb copy (it is then not searchable) instead of failing its insert.
 */
const UNSTORABLE_ESCAPE =
  /\\u0000|\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}/;

function jsonbText(body: Uint8Array, knownText: string | undefined): string | null {
  if (knownText !== undefined) return UNSTORABLE_ESCAPE.test(knownText) ? null : knownText;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(body);
    JSON.parse(text);
    return UNSTORABLE_ESCAPE.test(text) ? null : text;
  } catch {
    return null;
  }
}

export interface SqlStatement {
  text: string;
  values: unknown[];
}

const PG_COLUMNS =
  '(id, queue, state, path, method, headers, body, body_json, content_type, run_at, max_attempts, timeout_ms, dedup_key, traceparent, created_at, updated_at)';
const SQLITE_COLUMNS =
  '(id, queue, state, path, method, headers, body, content_type, run_at, max_attempts, timeout_ms, dedup_key, traceparent, created_at, updated_at)';

export function buildTaskInsert(dialect: 'postgresql' | 'sqlite', rows: readonly TaskInsertRow[]): SqlStatement {
  const values: unknown[] = [];
  const tuples = rows.map((row) => {
    const fields: unknown[] =
      dialect === 'postgresql'
        ? [
            row.id,
            row.queue,
            row.state,
            row.path,
            row.method,
            JSON.stringify(row.headers),
            row.body === null ? null : Buffer.from(row.body),
            row.bodyJson,
            row.contentType,
            row.runAt,
            row.maxAttempts,
            row.timeoutMs,
            row.key,
            row.traceparent,
            row.createdAt,
            row.createdAt,
          ]
        : [
            row.id,
            row.queue,
            row.state,
            row.path,
            row.method,
            JSON.stringify(row.headers),
            row.body === null ? null : Buffer.from(row.body),
            row.contentType,
            row.runAt.getTime(),
            row.maxAttempts,
            row.timeoutMs,
            row.key,
            row.traceparent,
            row.createdAt.getTime(),
            row.createdAt.getTime(),
          ];
    const placeholders = fields.map((field, index) => {
      values.push(field);
      if (dialect === 'sqlite') return '?';
      const n = `$${values.length}`;
      // Casts let the same text run through pg, knex and MikroORM without type inference surprises.
      return index === 0
        ? `${n}::uuid`
        : index === 5 || index === 7
          ? `${n}::jsonb`
          : index === 9 || index === 14 || index === 15
            ? `${n}::timestamptz`
            : n;
    });
    return `(${placeholders.join(', ')})`;
  });
  const columns = dialect === 'postgresql' ? PG_COLUMNS : SQLITE_COLUMNS;
  return {
    text: `insert into dispatchr_task ${columns} values ${tuples.join(', ')} on conflict do nothing returning id`,
    values,
  };
}

/**
 * PostgreSQL, many rows: one array per column through unnest(), so the statement text (and its
 * prepared plan) is the same for 1 row or 1,000, and PostgreSQL binds 15 parameters in all instead
 * of 16 per row. Bodies travel as text when they are JSON (hex-encoded bytea would double them, and
 * the jsonb copy is cast from the same text); other bodies as bytea.
 */
export function buildTaskInsertBulk(rows: readonly TaskInsertRow[]): SqlStatement {
  const n = rows.length;
  const ids = new Array<string>(n);
  const queues = new Array<string>(n);
  const states = new Array<string>(n);
  const paths = new Array<string>(n);
  const methods = new Array<string>(n);
  const headers = new Array<string>(n);
  const bodyTexts = new Array<string | null>(n);
  const bodyBytes = new Array<Buffer | null>(n);
  const contentTypes = new Array<string | null>(n);
  const runAts = new Array<string>(n);
  const maxAttempts = new Array<number | null>(n);
  const timeouts = new Array<number | null>(n);
  const keys = new Array<string | null>(n);
  const traceparents = new Array<string | null>(n);
  for (let i = 0; i < n; i++) {
    const row = rows[i];
    ids[i] = row.id;
    queues[i] = row.queue;
    states[i] = row.state;
    paths[i] = row.path;
    methods[i] = row.method;
    headers[i] = JSON.stringify(row.headers);
    bodyTexts[i] = row.bodyJson;
    bodyBytes[i] = row.bodyJson === null && row.body !== null ? Buffer.from(row.body) : null;
    contentTypes[i] = row.contentType;
    runAts[i] = row.runAt.toISOString();
    maxAttempts[i] = row.maxAttempts;
    timeouts[i] = row.timeoutMs;
    keys[i] = row.key;
    traceparents[i] = row.traceparent;
  }
  const createdAt = rows.length > 0 ? rows[0].createdAt.toISOString() : new Date().toISOString();
  return {
    text: `insert into dispatchr_task ${PG_COLUMNS}
      select r.id, r.queue, r.state, r.path, r.method, r.headers::jsonb, coalesce(convert_to(r.body_text, 'UTF8'), r.body_bytes),
        r.body_text::jsonb, r.content_type, r.run_at, r.max_attempts, r.timeout_ms, r.dedup_key, r.traceparent, $1::timestamptz, $1::timestamptz
      from unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::bytea[], $10::text[],
        $11::timestamptz[], $12::int[], $13::int[], $14::text[], $15::text[])
        as r(id, queue, state, path, method, headers, body_text, body_bytes, content_type, run_at, max_attempts, timeout_ms, dedup_key, traceparent)
      on conflict do nothing returning id`,
    values: [
      createdAt,
      ids,
      queues,
      states,
      paths,
      methods,
      headers,
      bodyTexts,
      bodyBytes,
      contentTypes,
      runAts,
      maxAttempts,
      timeouts,
      keys,
      traceparents,
    ],
  };
}
