import type { TaskInsertRow } from '../../task-insert-row.js';

/**
 * PostgreSQL's statements that write new tasks. Dependency-free like task-insert-row.ts:
 * `enqueueWithin()` in the client runs `buildTaskInsert` inside an application's own transaction.
 *
 * `on conflict do nothing` covers the dedup key (unique per queue among unfinished tasks): a
 * conflicting row is simply not returned, and the caller looks up the task that holds the key.
 * Only ids come back: the caller already holds every value it wrote.
 */
export interface SqlStatement {
  text: string;
  values: unknown[];
}

const PG_COLUMNS =
  '(id, queue, state, path, method, headers, body, body_json, content_type, run_at, max_attempts, timeout_ms, dedup_key, traceparent, created_at, updated_at)';
/** Rows with a placeholder per value: the client's single-row insert. */
export function buildTaskInsert(rows: readonly TaskInsertRow[]): SqlStatement {
  const values: unknown[] = [];
  const tuples = rows.map((row) => {
    const fields: unknown[] = [
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
    ];
    const placeholders = fields.map((field, index) => {
      values.push(field);
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
  return {
    text: `insert into dispatchr_task ${PG_COLUMNS} values ${tuples.join(', ')} on conflict do nothing returning id`,
    values,
  };
}

/**
 * Many rows: one array per column through unnest(), so the statement text (and its
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
