import { callbackTargetText, type TaskInsertRow } from '../../task-insert-row.js';
import { pgNumberArray, pgTextArray } from './pg-array.js';

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
 * A column of JSON texts (headers, bodies), sent as one JSON array of strings: JSON text is full of
 * quotes, which an array literal escapes one by one; JSON.stringify writes the array natively (ten
 * times faster) and PostgreSQL splits it, in order. A null element is SQL NULL.
 */
const jsonTexts = (param: string) =>
  `array(select e.text from json_array_elements_text(${param}::json) with ordinality as e(text, n) order by e.n)`;

/**
 * Many rows: one array per column through unnest(), so the statement text (and its
 * prepared plan) is the same for 1 row or 1,000, and PostgreSQL binds 20 parameters in all instead
 * of 24 per row. Bodies travel as text when they are JSON (hex-encoded bytea would double them, and
 * the jsonb copy is cast from the same text); other bodies as bytea. The arrays are written here,
 * as array literals (pg-array.ts) or, for JSON texts, one JSON array (jsonTexts): pg's own
 * serializer builds each one element by element, and that, with flattening the string it built,
 * was the largest part of a batch's cost in the recorder.
 *
 * `conflict`: `skip` (on conflict do nothing returning id) for rows that may meet a key's holder;
 * `fail` for rows without a key, which can conflict only on a duplicate id: the statement then
 * fails like any other, and PostgreSQL skips the speculative insertion an ON CONFLICT clause costs
 * per row (about a sixth of the insert) and sends back no ids.
 */
export function buildTaskInsertBulk(rows: readonly TaskInsertRow[], conflict: 'skip' | 'fail' = 'skip'): SqlStatement {
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
      from unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], ${jsonTexts('$7')}, ${jsonTexts('$8')}, $9::bytea[], $10::text[],
        $11::timestamptz[], $12::int[], $13::int[], $14::text[], $15::text[], $16::text[], $17::text[], $18::uuid[], $19::text[], $20::smallint[])
        as r(id, queue, state, path, method, headers, body_text, body_bytes, content_type, run_at, max_attempts, timeout_ms, dedup_key, traceparent,
          on_complete, on_failure, callback_of, retry, priority)
      ${conflict === 'skip' ? 'on conflict do nothing returning id' : ''}`,
    values: [
      createdAt,
      pgTextArray(ids),
      pgTextArray(queues),
      pgTextArray(states),
      pgTextArray(paths),
      pgTextArray(methods),
      JSON.stringify(headers),
      JSON.stringify(bodyTexts),
      // Bytes (bodies that are not JSON) are rare: pg writes those few as bytea elements.
      bodyBytes.every((bytes) => bytes === null) ? pgTextArray(bodyBytes as null[]) : bodyBytes,
      pgTextArray(contentTypes),
      pgTextArray(runAts),
      pgNumberArray(maxAttempts),
      pgNumberArray(timeouts),
      pgTextArray(keys),
      pgTextArray(traceparents),
      pgTextArray(onComplete),
      pgTextArray(onFailure),
      pgTextArray(callbackOf),
      pgTextArray(retries),
      pgNumberArray(priorities),
    ],
  };
}
