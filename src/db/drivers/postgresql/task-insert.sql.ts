import { callbackTargetText, type TaskInsertRow } from '../../task-insert-row.js';

/**
 * PostgreSQL's statements that write new tasks. Dependency-free like task-insert-row.ts:
 * `enqueueWithin()` in the client runs `buildTaskInsert` inside an application's own transaction.
 *
 * `on conflict do nothing` covers the dedup key (unique per queue among unfinished tasks, and
 * finished ones reserving it, migration 0018): a conflicting row is simply not returned, and the
 * caller looks up the task that holds the key.
 * Only ids come back: the caller already holds every value it wrote.
 */
export interface SqlStatement {
  text: string;
  values: unknown[];
}

const PG_COLUMNS =
  '(id, queue, state, path, method, headers, body, body_json, content_type, run_at, max_attempts, timeout_ms, dedup_key, traceparent, created_at, updated_at, on_complete, on_failure, callback_of, retry, priority)';
/** The key options (migration 0018): only the single-row insert writes them; bulk rows are keep without retention. */
const KEY_COLUMNS = ', key_mode, key_deadline, key_retention_ms)';
/**
 * Rows with a placeholder per value: the client's single-row insert, and a keyed row's upsert
 * (task-key-upsert.sql.ts), which passes its own `conflict` clause.
 */
export function buildTaskInsert(
  rows: readonly TaskInsertRow[],
  conflict = 'on conflict do nothing returning id',
): SqlStatement {
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
      callbackTargetText(row.onComplete),
      callbackTargetText(row.onFailure),
      row.callbackOf ?? null,
      row.retry ?? null,
      row.priority ?? null,
    ];
    const placeholders = fields.map((field, index) => {
      values.push(field);
      const n = `$${values.length}`;
      // No priority sent (enqueueWithin cannot see the config): the queue's stored default (spec 11.1).
      if (index === 20)
        return `coalesce(${n}::smallint, (select s.default_priority from dispatchr_queue_state s where s.name = $${values.length - 19}), 0)`;
      // Casts let the same text run through pg, knex and MikroORM without type inference surprises.
      return index === 0 || index === 18
        ? `${n}::uuid`
        : index === 5 || index === 7
          ? `${n}::jsonb`
          : index === 9 || index === 14 || index === 15
            ? `${n}::timestamptz`
            : n;
    });
    // Key mode null is keep, the bulk insert's default.
    values.push(
      row.keyMode === 'keep' ? null : (row.keyMode ?? null),
      row.keyDeadline ?? null,
      row.keyRetentionMs ?? null,
    );
    const k = values.length;
    placeholders.push(`$${k - 2}`, `$${k - 1}::timestamptz`, `$${k}::int`);
    return `(${placeholders.join(', ')})`;
  });
  return {
    text: `insert into dispatchr_task ${PG_COLUMNS.slice(0, -1)}${KEY_COLUMNS} values ${tuples.join(', ')} ${conflict}`,
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
  const onComplete = new Array<string | null>(n);
  const onFailure = new Array<string | null>(n);
  const callbackOf = new Array<string | null>(n);
  const retries = new Array<string | null>(n);
  const priorities = new Array<number | null>(n);
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
    onComplete[i] = callbackTargetText(row.onComplete);
    onFailure[i] = callbackTargetText(row.onFailure);
    callbackOf[i] = row.callbackOf ?? null;
    retries[i] = row.retry ?? null;
    priorities[i] = row.priority ?? null;
  }
  const createdAt = rows.length > 0 ? rows[0].createdAt.toISOString() : new Date().toISOString();
  return {
    text: `insert into dispatchr_task ${PG_COLUMNS}
      select r.id, r.queue, r.state, r.path, r.method, r.headers::jsonb, coalesce(convert_to(r.body_text, 'UTF8'), r.body_bytes),
        r.body_text::jsonb, r.content_type, r.run_at, r.max_attempts, r.timeout_ms, r.dedup_key, r.traceparent, $1::timestamptz, $1::timestamptz,
        r.on_complete, r.on_failure, r.callback_of, r.retry,
        -- no priority sent: the queue's stored default (spec 11.1); evaluated only for those rows
        coalesce(r.priority, (select s.default_priority from dispatchr_queue_state s where s.name = r.queue), 0)
      from unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::bytea[], $10::text[],
        $11::timestamptz[], $12::int[], $13::int[], $14::text[], $15::text[], $16::text[], $17::text[], $18::uuid[], $19::text[], $20::smallint[])
        as r(id, queue, state, path, method, headers, body_text, body_bytes, content_type, run_at, max_attempts, timeout_ms, dedup_key, traceparent,
          on_complete, on_failure, callback_of, retry, priority)
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
      onComplete,
      onFailure,
      callbackOf,
      retries,
      priorities,
    ],
  };
}
